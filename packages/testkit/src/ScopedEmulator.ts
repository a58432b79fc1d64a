/**
 * The Miro emulator on an ephemeral loopback port, closed with the scope. Every suite that
 * needs one (client, transport, store cross-process) starts it the same way, so it lives here.
 */
import { startEmulator } from "@miro-token/emulator";
import { Effect } from "effect";

/** A fresh emulator on port 0, closed when the enclosing scope closes. */
export const scopedEmulator = Effect.acquireRelease(
  Effect.promise(() => startEmulator({ port: 0 })),
  (emulator) => Effect.promise(() => emulator.close()),
);
