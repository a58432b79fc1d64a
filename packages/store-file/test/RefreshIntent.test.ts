// The file store's half of refresh intents, beyond the conformance suite (which every store
// runs): the intent is written into the token's own document (same generation, same tokens,
// 0600, atomically), survives a reopen (a restart), and the next compare-and-set drops it. The
// intent names a generation and a time, never a token.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "@effect/vitest";
import { unresolvedIntent } from "@miro-token/core";
import { Effect, Option } from "effect";
import { canaryTokenSet, openStore, refreshOf, tempDirectory } from "./StoreFixtures.ts";

const INTENT = { generation: 1, startedAt: 1_767_225_600_000 };

describe("FileTokenStore refresh intents", () => {
  it.live("are written into the entry, survive a reopen, and go with the next write", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const directory = yield* tempDirectory;
        const store = yield* openStore(directory);
        const tokens = canaryTokenSet();
        yield* store.compareAndSet("alice", 0, tokens);
        expect(yield* store.recordRefreshIntent("alice", INTENT)).toBe(true);

        const reopened = yield* openStore(directory);
        const marked = Option.getOrThrow(yield* reopened.get("alice"));
        expect(marked.generation).toBe(1);
        expect(refreshOf(marked.tokenSet)).toBe(refreshOf(tokens));
        expect(unresolvedIntent(marked)).toEqual(INTENT);
        expect((yield* reopened.list()).map(unresolvedIntent)).toEqual([INTENT]);
        const [file = ""] = yield* Effect.promise(() => readdir(directory));
        const path = join(directory, file);
        expect((yield* Effect.promise(() => stat(path))).mode & 0o777).toBe(0o600);
        const document = JSON.parse(yield* Effect.promise(() => readFile(path, "utf8")));
        // The intent names a generation and a time: no token, no fingerprint of one.
        expect(document.refreshIntent).toEqual(INTENT);

        const next = yield* reopened.compareAndSet("alice", 1, canaryTokenSet());
        expect(next._tag === "Written" && next.stored.refreshIntent).toBe(undefined);
        expect(Option.getOrThrow(yield* store.get("alice")).refreshIntent).toBeUndefined();
      }),
    ),
  );
});
