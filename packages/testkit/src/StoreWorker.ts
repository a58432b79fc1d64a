/**
 * The body of a store conformance worker process (imported through
 * `@miro-token/testkit/StoreWorker`, never through the index, which pulls in vitest). A store
 * package's fixture builds its store layer and calls `runStoreWorker`; the suite drives the
 * process line by line:
 *
 *   round <n> <generation>  -> "done <n> refreshed|skipped|conflict|failed:<Tag>"
 *   hold                    take the token's lock and keep it until killed -> "holding"
 *
 * On start it prints "ready <pid>". Miro settings come from the environment
 * (`MIRO_API_BASE_URL`, `MIRO_CLIENT_ID`, `MIRO_CLIENT_SECRET`): secrets never on argv.
 */
import { createInterface } from "node:readline";
import { type HttpTransport, MiroConfig, TokenClient, TokenStore } from "@miro-token/core";
import { Effect, Layer, ManagedRuntime } from "effect";
import { refreshIfStill } from "./StoreRefreshProtocol.ts";

/** Run the worker protocol for `tokenId` over `store` (a store layer on the shared backend). */
export const runStoreWorker = async (
  tokenId: string,
  store: Layer.Layer<TokenStore, unknown>,
  transport: Layer.Layer<HttpTransport>,
): Promise<void> => {
  const say = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(
      store,
      TokenClient.layer.pipe(Layer.provide(transport), Layer.provide(MiroConfig.layerConfig())),
    ),
  );
  const hold = Effect.gen(function* () {
    const tokens = yield* TokenStore;
    yield* tokens.withLock(
      tokenId,
      Effect.sync(() => say("holding")).pipe(Effect.andThen(Effect.never)),
    );
  });
  const lines = createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    const [command, n, generation] = line.trim().split(" ");
    if (command === "round") {
      void runtime
        .runPromise(refreshIfStill(tokenId, Number(generation)))
        .then((outcome) => say(`done ${n} ${outcome}`));
    } else if (command === "hold") {
      void runtime.runPromise(hold);
    }
  });
  lines.on("close", () => process.exit(0));
  await runtime.runPromise(Effect.void);
  say(`ready ${process.pid}`);
};
