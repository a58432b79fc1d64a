// The shared store conformance suite (packages/testkit) on core's in-memory store. It runs
// here rather than in packages/core because core cannot depend on testkit (testkit depends on
// core: turbo refuses the cycle) and the suite's refreshers need a real transport.
// In-memory means one process: the 4-process tests do not apply.
import { makeMemoryStore } from "@miro-token/core";
import { storeConformance } from "@miro-token/testkit";
import { NodeTransport } from "@miro-token/transport-node";
import { Effect } from "effect";

storeConformance("memory", {
  transport: NodeTransport.layer,
  crossProcess: false,
  open: Effect.map(makeMemoryStore([]), (store) => ({ store })),
});
