// `scan`: one unreadable token file (corrupt, a symbolic link, a directory) is reported by its
// file name, with none of its bytes, while every readable entry is still returned; `list`
// keeps failing on it; and the core fallback `scanStore` gives the same shape.
import { mkdir, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "@effect/vitest";
import { scanStore } from "@miro-token/core";
import { findLeaks } from "@miro-token/testkit";
import { Effect, Redacted } from "effect";
import { canaryTokenSet, openStore, refreshOf, tempDirectory } from "./StoreFixtures.ts";

const fileOf = (id: string) => `${Buffer.from(id).toString("base64url")}.token.json`;

describe("FileTokenStore.scan", () => {
  it.live("returns the readable entries and names the unreadable files, quoting none", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDirectory;
        const store = yield* openStore(dir);
        const broken = canaryTokenSet();
        for (const id of ["alice", "bob", "carol", "dave"]) {
          yield* store.compareAndSet(id, 0, id === "carol" ? broken : canaryTokenSet());
        }
        const carol = join(dir, fileOf("carol"));
        const original = yield* Effect.promise(() => readFile(carol, "utf8"));
        // Half a document: its first half holds carol's access token.
        yield* Effect.promise(() => writeFile(carol, original.slice(0, original.length / 2)));
        yield* Effect.promise(() => writeFile(join(dir, "elsewhere.json"), original));
        yield* Effect.promise(() => rm(join(dir, fileOf("dave"))));
        yield* Effect.promise(() =>
          symlink(join(dir, "elsewhere.json"), join(dir, fileOf("dave"))),
        );
        yield* Effect.promise(() => mkdir(join(dir, fileOf("erin"))));

        const scanned = yield* scanStore(store);
        expect(scanned.entries.map((e) => e.id).sort()).toEqual(["alice", "bob"]);
        const unreadable = [...scanned.unreadable].sort((a, b) => (a.id < b.id ? -1 : 1));
        expect(unreadable.map(({ id, location }) => [id, location])).toEqual([
          ["carol", fileOf("carol")],
          ["dave", fileOf("dave")],
          ["erin", fileOf("erin")],
        ]);
        expect(unreadable[0]?.reason).toBe(`corrupt token file ${fileOf("carol")} (not JSON)`);
        expect(unreadable[1]?.reason).toMatch(/^ELOOP/);
        const secrets = [Redacted.value(broken.accessToken), refreshOf(broken)];
        expect(findLeaks(JSON.stringify(scanned.unreadable), secrets)).toEqual([]);

        const listed = yield* Effect.flip(store.list());
        expect(listed).toMatchObject({ _tag: "StoreError", operation: "list" });
        // Nothing was repaired or removed behind the operator's back.
        const names = yield* Effect.promise(() => readdir(dir));
        expect(names).toContain(fileOf("carol"));
        expect(yield* Effect.promise(() => readFile(carol, "utf8"))).toBe(
          original.slice(0, original.length / 2),
        );
      }),
    ),
  );
});
