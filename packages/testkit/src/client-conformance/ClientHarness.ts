/**
 * What every client conformance test runs against: the emulator, and the adapter under test
 * wrapped so the suite can see when a request is in flight (`drive` needs that to tell a client
 * waiting to retry from a request that hangs).
 */
import type { Vitest } from "@effect/vitest";
import { HttpTransport } from "@miro-token/core";
import type { Emulator } from "@miro-token/emulator";
import { Context, Effect, Layer } from "effect";
import { scopedEmulator } from "../ScopedEmulator.ts";

/** The emulator, and the adapter wrapped so the suite knows when a request is in flight. */
export class ClientHarness extends Context.Service<
  ClientHarness,
  {
    readonly emulator: Emulator;
    readonly transport: HttpTransport["Service"];
    readonly inFlight: () => number;
  }
>()("@miro-token/testkit/ClientHarness") {
  /** The harness over one adapter's layer, with its own emulator. */
  static readonly layerWith = (transport: Layer.Layer<HttpTransport>) =>
    Layer.effect(
      ClientHarness,
      Effect.gen(function* () {
        const emulator = yield* scopedEmulator;
        const adapter = yield* HttpTransport;
        let inFlight = 0;
        const counted = HttpTransport.of({
          // Passed through, so the live-clock tests run the adapter's own attempt timer.
          enforcesTimeout: adapter.enforcesTimeout,
          send: (request) =>
            Effect.suspend(() => {
              inFlight += 1;
              return adapter.send(request).pipe(
                Effect.ensuring(
                  Effect.sync(() => {
                    inFlight -= 1;
                  }),
                ),
              );
            }),
        });
        return { emulator, transport: counted, inFlight: () => inFlight };
      }),
    ).pipe(Layer.provide(transport));
}

/** The `it` the suite's test groups register their tests on. */
export type ClientIt = Vitest.MethodsNonLive<ClientHarness>;
