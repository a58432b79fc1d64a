// The shared outbox conformance suite (packages/testkit) on core's memory outbox and on the
// file store's outbox (two store instances over one directory: two processes' view), plus
// what only a file can show: the document is 0600 in a 0700 directory, and a store without
// webhooks gets no outbox directory.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "@effect/vitest";
import { makeMemoryOutbox } from "@miro-token/core/internal";
import { outboxConformance } from "@miro-token/testkit";
import { Effect } from "effect";
import { FileTokenStore } from "../src/index.ts";
import { tempDirectory } from "./StoreFixtures.ts";

outboxConformance(
  "memory",
  Effect.sync(() => {
    const outbox = makeMemoryOutbox();
    return { a: outbox, b: outbox };
  }),
);

outboxConformance(
  "file",
  Effect.gen(function* () {
    const directory = yield* tempDirectory;
    const a = yield* FileTokenStore.make({ directory });
    const b = yield* FileTokenStore.make({ directory });
    return { a: a.outbox!, b: b.outbox! };
  }),
);

describe("file outbox on disk", () => {
  it.live("is created on the first record only, 0600 in a 0700 directory", () =>
    Effect.gen(function* () {
      const directory = yield* tempDirectory;
      const store = yield* FileTokenStore.make({ directory });
      yield* store.outbox!.entries();
      expect(readdirSync(directory)).not.toContain("outbox");
      yield* store.outbox!.record("t1", "Invalid", () => undefined);
      expect(statSync(join(directory, "outbox")).mode & 0o777).toBe(0o700);
      expect(statSync(join(directory, "outbox", "outbox.json")).mode & 0o777).toBe(0o600);
      // The token listing ignores it.
      expect(yield* store.list()).toEqual([]);
    }).pipe(Effect.scoped),
  );
});
