/**
 * The Miro emulator as a service of the transport suite, so its second half can send the same
 * raw requests to Miro's real routes (token info, token, revoke v2) and their scripted faults.
 */
import type { Vitest } from "@effect/vitest";
import type { HttpTransport } from "@miro-token/core";
import type { Emulator } from "@miro-token/emulator";
import { Context, Layer } from "effect";
import { scopedEmulator } from "../ScopedEmulator.ts";

/** The Miro emulator on port 0, for the same assertions against Miro's real routes. */
export class MiroEmulator extends Context.Service<MiroEmulator, Emulator>()(
  "@miro-token/testkit/MiroEmulator",
) {
  /** A fresh emulator, closed with the scope. */
  static readonly layer = Layer.effect(MiroEmulator, scopedEmulator);
}

/** The `it` of the suite's half that runs against the emulator. */
export type EmulatorIt = Vitest.MethodsNonLive<HttpTransport | MiroEmulator>;
