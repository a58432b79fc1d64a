// The token client the store's refresh tests run against: core's client over the node
// transport, talking real HTTP to an emulator started (and closed) in the test's scope.
import { MiroConfig, TokenClient } from "@miro-token/core";
import { type Emulator, startEmulator } from "@miro-token/emulator";
import { NodeTransport } from "@miro-token/transport-node";
import { Context, Effect, Layer } from "effect";

/** An emulator on port 0, closed with the scope. */
export const emulatorOf = Effect.acquireRelease(
  Effect.promise(() => startEmulator({ port: 0 })),
  (emulator) => Effect.promise(() => emulator.close()),
);

/** The token client against `emulator` (its seeded app), its pool open for the scope. */
export const clientOf = (emulator: Emulator) =>
  Effect.map(
    Layer.build(
      TokenClient.layer.pipe(
        Layer.provide(NodeTransport.layer),
        Layer.provide(
          MiroConfig.layer({
            baseUrl: emulator.baseUrl,
            clientId: emulator.seed!.client.clientId,
            clientSecret: emulator.seed!.client.clientSecret,
          }),
        ),
      ),
    ),
    (context) => Context.get(context, TokenClient),
  );
