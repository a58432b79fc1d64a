/**
 * `@miro-token/testkit` (private): what every package's tests share — canary secrets and leak
 * checks, and the conformance suites every transport runs against the emulator.
 */
export * from "./Canary.ts";
export * from "./ClientConformance.ts";
export * from "./LargeBody.ts";
export * from "./OutboxConformance.ts";
export * from "./RecordingTracer.ts";
export * from "./StoreConformance.ts";
export * from "./StoreRefreshProtocol.ts";
export * from "./TransportConformance.ts";
export * from "./WorkerProcess.ts";
