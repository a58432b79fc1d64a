/**
 * The `Watcher` layer inside an Effect program: building it starts the watcher, closing its
 * scope is the graceful shutdown (the `stopping` and `stopped` lines, the port released), and a
 * start failure is a typed `WatcherStartError` in the error channel, with what was acquired
 * released again.
 */
import { createServer } from "node:net";
import { FileTokenStore } from "@miro-token/store-file";
import { Context, Effect, Layer } from "effect";
import { describe, expect, it } from "vitest";
import { Watcher } from "../src/Watcher.ts";
import {
  cleanupsAfterEach,
  getJson,
  issueAndStore,
  startSyncedEmulator,
  tempDir,
  waitFor,
} from "./Fixtures.ts";

const cleanups = cleanupsAfterEach();

describe("the Watcher layer", () => {
  it("starts when built and shuts down gracefully when its scope closes", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const { emulator, stop } = await startSyncedEmulator();
    cleanups.push(stop);
    await issueAndStore(emulator, dir.path, 2);
    const lines: Array<string> = [];
    const layer = Watcher.layer({
      store: FileTokenStore.layer({ directory: dir.path }),
      port: 0,
      output: (line) => lines.push(line),
      miro: { baseUrl: emulator.baseUrl },
      watch: { interval: 100, jitter: 0 },
    });
    const url = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const watcher = Context.get(yield* Layer.build(layer), Watcher);
          yield* Effect.promise(() =>
            waitFor("both Active", async () => {
              const doc = await getJson<{ byState: Record<string, number> }>(
                `${watcher.url}/tokens`,
              );
              return doc.byState.Active === 2;
            }),
          );
          watcher.stopping("test");
          return watcher.url;
        }),
      ),
    );
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.at(-2)).toMatchObject({ event: "stopping", signal: "test" });
    expect(events.at(-1)).toMatchObject({ event: "stopped", clean: true });
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it("fails with a WatcherStartError when the port is taken, before printing anything", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as { port: number }).port;
    const lines: Array<string> = [];
    const error = await Effect.runPromise(
      Effect.scoped(
        Layer.build(
          Watcher.layer({
            store: FileTokenStore.layer({ directory: dir.path }),
            port,
            output: (line) => lines.push(line),
          }),
        ),
      ).pipe(Effect.flip),
    );
    expect(error._tag).toBe("WatcherStartError");
    expect(error.message).toBe(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
    expect(lines).toEqual([]);
  });
});
