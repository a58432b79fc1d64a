// The store's contract: compare-and-set on generations, get/list/delete, re-entrant withLock,
// a corrupt file as a typed StoreError (without its contents in the message), ids of any shape.
import { readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "@effect/vitest";
import { TokenStore } from "@miro-token/core";
import { errorSurfaces, findLeaks } from "@miro-token/testkit";
import { Effect, Fiber, Option, Redacted } from "effect";
import { FileTokenStore } from "../src/index.ts";
import { canaryTokenSet, openStore, refreshOf, tempDirectory } from "./StoreFixtures.ts";

describe("FileTokenStore", () => {
  it.live("layer provides TokenStore to code that only knows the core service", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const directory = yield* tempDirectory;
        const tokens = canaryTokenSet();
        const program = Effect.gen(function* () {
          const store = yield* TokenStore;
          yield* store.compareAndSet("alice", 0, tokens);
          return yield* store.list();
        });
        const listed = yield* Effect.provide(program, FileTokenStore.layer({ directory }));
        expect(listed.map((s) => [s.id, s.generation, refreshOf(s.tokenSet)])).toEqual([
          ["alice", 1, refreshOf(tokens)],
        ]);
        expect(Object.keys(yield* Effect.promise(() => import("../src/index.ts"))).sort()).toEqual([
          "FileRekey",
          "FileTokenStore",
          "nodeStoreFs",
          "prepareReplace",
        ]);
      }),
    ),
  );

  it.live("writes generation 1, then compare-and-sets on the generation", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* openStore(yield* tempDirectory);
        const first = canaryTokenSet();
        const written = yield* store.compareAndSet("alice", 0, first);
        expect(written._tag).toBe("Written");
        expect(written._tag === "Written" && written.stored.generation).toBe(1);

        const stale = yield* store.compareAndSet("alice", 0, canaryTokenSet());
        expect(stale._tag).toBe("Conflict");
        const current = stale._tag === "Conflict" ? stale.current : Option.none();
        expect(Option.map(current, (s) => refreshOf(s.tokenSet))).toEqual(
          Option.some(refreshOf(first)),
        );

        const second = canaryTokenSet();
        const next = yield* store.compareAndSet("alice", 1, second);
        expect(next._tag === "Written" && next.stored.generation).toBe(2);
        const read = yield* store.get("alice");
        expect(Option.map(read, (s) => [s.generation, refreshOf(s.tokenSet)])).toEqual(
          Option.some([2, refreshOf(second)]),
        );
        expect(Option.map(read, (s) => s.tokenSet.teamId)).toEqual(
          Option.some("3074457358607431473"),
        );
      }),
    ),
  );

  it.live("a second store instance sees the first one's writes (state lives on disk)", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDirectory;
        const a = yield* openStore(dir);
        yield* a.compareAndSet("bob", 0, canaryTokenSet());
        const b = yield* openStore(dir);
        const result = yield* b.compareAndSet("bob", 0, canaryTokenSet());
        expect(result._tag).toBe("Conflict");
        expect((yield* b.get("bob")).pipe(Option.map((s) => s.generation))).toEqual(Option.some(1));
      }),
    ),
  );

  it.live("get of a missing id is None; delete removes; list returns only token files", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDirectory;
        const store = yield* openStore(dir);
        expect(Option.isNone(yield* store.get("nobody"))).toBe(true);
        yield* store.compareAndSet("a", 0, canaryTokenSet());
        yield* store.compareAndSet("user/with spaces:ü", 0, canaryTokenSet());
        yield* store.compareAndSet("c", 0, canaryTokenSet());
        yield* Effect.promise(() => writeFile(join(dir, "README.txt"), "not a token"));
        yield* Effect.promise(() => writeFile(join(dir, "notes.json"), "{}"));
        yield* Effect.promise(() => writeFile(join(dir, "x.token.json.lock"), ""));
        yield* store.delete("c");
        yield* store.delete("c");
        const ids = (yield* store.list()).map((s) => s.id).sort();
        expect(ids).toEqual(["a", "user/with spaces:ü"]);
      }),
    ),
  );

  it.live("rejects empty and over-long ids with a StoreError", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* openStore(yield* tempDirectory);
        const empty = yield* Effect.flip(store.get(""));
        expect(empty._tag).toBe("StoreError");
        const long = yield* Effect.flip(store.compareAndSet("x".repeat(500), 0, canaryTokenSet()));
        expect(long.reason).toMatch(/invalid id/);
      }),
    ),
  );

  it.live("a corrupt or foreign file is a StoreError that quotes none of its contents", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDirectory;
        const store = yield* openStore(dir);
        const tokens = canaryTokenSet();
        yield* store.compareAndSet("carol", 0, tokens);
        const [file] = (yield* Effect.promise(() => readdir(dir))).filter((n) =>
          n.endsWith(".token.json"),
        );
        const path = join(dir, file ?? "");
        const secrets = [Redacted.value(tokens.accessToken), refreshOf(tokens)];
        const original = yield* Effect.promise(() => readFile(path, "utf8"));

        for (const corrupt of [
          original.slice(0, original.length / 2),
          `${Redacted.value(tokens.accessToken)} trailing`,
          original.replace('"generation": 1', '"generation": "one"'),
          original.replace('"id": "carol"', '"id": "mallory"'),
          "",
        ]) {
          yield* Effect.promise(() => writeFile(path, corrupt));
          const error = yield* Effect.flip(store.get("carol"));
          expect(error._tag).toBe("StoreError");
          expect(error.reason).toMatch(/^corrupt token file /);
          expect(findLeaks(errorSurfaces(error), secrets)).toEqual([]);
          const listed = yield* Effect.flip(store.list());
          expect(listed.reason).toMatch(/^corrupt/);
          const cas = yield* Effect.flip(store.compareAndSet("carol", 1, canaryTokenSet()));
          expect(cas.reason).toMatch(/^corrupt/);
        }
      }),
    ),
  );

  it.live("refuses a token file that is a symbolic link", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDirectory;
        const store = yield* openStore(dir);
        yield* store.compareAndSet("dave", 0, canaryTokenSet());
        const name = Buffer.from("eve").toString("base64url");
        yield* Effect.promise(() =>
          symlink(
            join(dir, `${Buffer.from("dave").toString("base64url")}.token.json`),
            join(dir, `${name}.token.json`),
          ),
        );
        const error = yield* Effect.flip(store.get("eve"));
        expect(error.reason).toMatch(/^ELOOP/);
      }),
    ),
  );

  it.live("withLock is re-entrant: compareAndSet and delete inside it do not deadlock", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* openStore(yield* tempDirectory);
        const result = yield* store
          .withLock(
            "frank",
            Effect.gen(function* () {
              yield* store.compareAndSet("frank", 0, canaryTokenSet());
              const inner = yield* store.withLock(
                "frank",
                store.compareAndSet("frank", 1, canaryTokenSet()),
              );
              yield* store.delete("frank");
              return inner;
            }),
          )
          .pipe(Effect.timeout("5 seconds"));
        expect(result._tag === "Written" && result.stored.generation).toBe(2);
        expect(Option.isNone(yield* store.get("frank"))).toBe(true);
      }),
    ),
  );

  it.live("concurrent compareAndSets from one generation: exactly one is Written", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDirectory;
        const stores = [yield* openStore(dir), yield* openStore(dir)];
        const results = yield* Effect.forEach(
          Array.from({ length: 16 }, (_, i) => i),
          (i) => (stores[i % 2] ?? stores[0]!).compareAndSet("gina", 0, canaryTokenSet()),
          { concurrency: "unbounded" },
        );
        expect(results.filter((r) => r._tag === "Written")).toHaveLength(1);
        expect(results.filter((r) => r._tag === "Conflict")).toHaveLength(15);
      }),
    ),
  );

  it.live(
    "an interrupted compareAndSet leaves the old or the new document, no temp or lock file",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const dir = yield* tempDirectory;
          const store = yield* openStore(dir);
          yield* store.compareAndSet("hank", 0, canaryTokenSet());
          let generation = 1;
          for (let i = 0; i < 30; i++) {
            const fiber = yield* Effect.forkChild(
              store.compareAndSet("hank", generation, canaryTokenSet()),
            );
            yield* Effect.sleep(Math.random() * 20);
            yield* Fiber.interrupt(fiber);
            const stored = Option.getOrThrow(yield* store.get("hank"));
            expect([generation, generation + 1]).toContain(stored.generation);
            generation = stored.generation;
            const left = yield* Effect.promise(() => readdir(dir));
            expect(left.filter((name) => !name.endsWith(".token.json"))).toEqual([]);
          }
        }),
      ),
  );
});
