/**
 * A read interrupted while its file is still opening gets the handle back and closes it: the
 * open is the uninterruptible acquire, so no handle is left to the garbage collector (which
 * would warn, and hold a token file open meanwhile).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "@effect/vitest";
import { Deferred, Effect, Fiber } from "effect";
import { readFileIfExists } from "../src/AtomicFile.ts";
import { nodeStoreFs, type StoreFs } from "../src/index.ts";

describe("readFileIfExists", () => {
  it.live("closes a handle whose open finished after the read was interrupted", () =>
    Effect.gen(function* () {
      const path = join(mkdtempSync(join(tmpdir(), "interrupted-read-")), "t.token.json");
      writeFileSync(path, "{}", { mode: 0o600 });
      const openStarted = yield* Deferred.make<void>();
      const releaseOpen = yield* Deferred.make<void>();
      let closed = false;
      const fs: StoreFs = {
        ...nodeStoreFs,
        open: (async (...args: Parameters<StoreFs["open"]>) => {
          const handle = await nodeStoreFs.open(...args);
          Deferred.doneUnsafe(openStarted, Effect.void);
          await Effect.runPromise(Deferred.await(releaseOpen));
          const close = handle.close.bind(handle);
          return Object.assign(handle, {
            close: () => {
              closed = true;
              return close();
            },
          }) as FileHandle;
        }) as StoreFs["open"],
      };
      const fiber = yield* Effect.forkChild(readFileIfExists(fs, path, "get"));
      yield* Deferred.await(openStarted);
      const interrupted = yield* Effect.forkChild(Fiber.interrupt(fiber));
      yield* Deferred.succeed(releaseOpen, undefined);
      yield* Fiber.join(interrupted);
      expect(closed).toBe(true);
    }),
  );
});
