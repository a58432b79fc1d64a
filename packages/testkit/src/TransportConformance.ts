/**
 * The transport conformance suite: one set of assertions every `HttpTransport` adapter must
 * pass, run over real loopback HTTP against a purpose-built fault server (for what the emulator
 * cannot show: the server-side view of a closed socket, repeated headers, raw hostile bytes)
 * and against the Miro emulator.
 *
 * This file only puts the groups in order; each group lives in `transport-conformance/`. Each
 * adapter's test file calls `transportConformance(name, layer)` once.
 */
import { describe, layer } from "@effect/vitest";
import type { HttpTransport } from "@miro-token/core";
import { Layer } from "effect";
import { emulatorTests } from "./transport-conformance/EmulatorTests.ts";
import { failureTests } from "./transport-conformance/FailureTests.ts";
import { FaultServer } from "./transport-conformance/FaultServer.ts";
import { hostileResponseTests, secretLeakTests } from "./transport-conformance/LeakTests.ts";
import { MiroEmulator } from "./transport-conformance/MiroEmulator.ts";
import { responseTests } from "./transport-conformance/ResponseTests.ts";

/**
 * Registers the conformance suite for one transport layer.
 *
 * @category conformance
 * @since 0.1.0
 */
export const transportConformance = (name: string, transport: Layer.Layer<HttpTransport>): void => {
  describe(`${name} transport conformance`, () => {
    layer(Layer.merge(transport, FaultServer.layer), { excludeTestServices: true })((it) => {
      responseTests(it);
      failureTests(it);
      secretLeakTests(it);
      hostileResponseTests(it);
    });

    layer(Layer.merge(transport, MiroEmulator.layer), { excludeTestServices: true })(
      "against the Miro emulator",
      (it) => emulatorTests(it),
    );
  });
};
