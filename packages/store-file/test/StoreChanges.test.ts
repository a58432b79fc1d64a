// The file store's change stream: writes and deletes by another store instance over the same
// directory (as another process would make them) arrive as Written/Deleted with the
// generation, a token file that cannot be read asks for a Resync, and a token file the watch
// missed is reported by the periodic check of the directory's names.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "@effect/vitest";
import type { StoreChange } from "@miro-token/core";
import { Effect, Fiber, Stream } from "effect";
import { FileTokenStore, nodeStoreFs, type StoreFs } from "../src/index.ts";
import { canaryTokenSet, openStore, tempDirectory } from "./StoreFixtures.ts";

const encoded = (id: string) => Buffer.from(id, "utf8").toString("base64url");

/** Collects `count` changes of `store.changes()` (started before `act` runs). */
const collect = <A>(
  changes: Stream.Stream<StoreChange, unknown>,
  count: number,
  act: Effect.Effect<A, unknown>,
) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(Stream.runCollect(Stream.take(changes, count)));
    yield* Effect.sleep(100);
    yield* act;
    return Array.from(yield* Fiber.join(fiber).pipe(Effect.timeout("10 seconds")));
  });

describe("FileTokenStore changes", () => {
  it.live("reports another instance's writes and deletes, reading only the file that changed", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const directory = yield* tempDirectory;
        const watched = yield* openStore(directory);
        const writer = yield* openStore(directory);
        const seen = yield* collect(
          watched.changes!(),
          3,
          Effect.gen(function* () {
            yield* writer.compareAndSet("alice", 0, canaryTokenSet());
            yield* Effect.sleep(150);
            yield* writer.compareAndSet("alice", 1, canaryTokenSet());
            yield* Effect.sleep(150);
            yield* writer.delete("alice");
          }),
        );
        expect(seen).toEqual([
          { _tag: "Written", id: "alice", generation: 1 },
          { _tag: "Written", id: "alice", generation: 2 },
          { _tag: "Deleted", id: "alice" },
        ]);
      }),
    ),
  );

  it.live("asks for a Resync when a changed token file cannot be read", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const directory = yield* tempDirectory;
        const watched = yield* openStore(directory);
        const path = join(directory, `${encoded("bob")}.token.json`);
        const seen = yield* collect(
          watched.changes!(),
          1,
          Effect.promise(() => writeFile(path, "not json", { mode: 0o600 })),
        );
        expect(seen).toEqual([{ _tag: "Resync" }]);
      }),
    ),
  );

  it.live("reports a token file the watch missed at the next check of the directory's names", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const directory = yield* tempDirectory;
        // The listing the stream starts from does not show "carol" (as if the watch had
        // missed her file): the periodic check must report her.
        let hide = false;
        const fs: StoreFs = {
          ...nodeStoreFs,
          readdir: ((path: string) =>
            hide ? Promise.resolve([]) : nodeStoreFs.readdir(path)) as StoreFs["readdir"],
        };
        const watched = yield* FileTokenStore.make({
          directory,
          fs,
          changes: { checkInterval: "300 millis" },
        });
        yield* watched.compareAndSet("carol", 0, canaryTokenSet());
        hide = true;
        const fiber = yield* Effect.forkChild(
          Stream.runCollect(Stream.take(watched.changes!(), 1)),
        );
        yield* Effect.sleep(100);
        hide = false;
        const seen = yield* Fiber.join(fiber).pipe(Effect.timeout("10 seconds"));
        expect(Array.from(seen)).toEqual([{ _tag: "Written", id: "carol", generation: 1 }]);
      }),
    ),
  );
});
