// RELIABILITY target 11: under umask 000, with a pre-existing 0644 store file, every token
// file is 0600 and the directory 0700 after every write; a poll of the directory during many
// writes never sees a file with broader permissions; orphaned temp files of a "previous crash"
// are gone after startup.
import { chmod, lstat, mkdir, readdir, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest";
import { Effect, Fiber } from "effect";
import { canaryTokenSet, openStore, tempDirectory } from "./StoreFixtures.ts";

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

/** Every entry of `dir` whose mode allows group or others anything. */
const broadEntries = async (dir: string): Promise<ReadonlyArray<string>> => {
  const found: Array<string> = [];
  for (const name of await readdir(dir).catch(() => [])) {
    const stats = await lstat(join(dir, name)).catch(() => undefined);
    if (stats !== undefined && (stats.mode & 0o077) !== 0)
      found.push(`${name} ${stats.mode & 0o777}`);
  }
  return found;
};

describe("file modes (target 11)", () => {
  let previousUmask = 0;
  beforeAll(() => {
    previousUmask = process.umask(0o000);
  });
  afterAll(() => {
    process.umask(previousUmask);
  });

  it.live("a 0755 directory and a 0644 token file are tightened when the store opens", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = join(yield* tempDirectory, "store");
        const first = yield* openStore(dir);
        yield* first.compareAndSet("alice", 0, canaryTokenSet());
        const [file] = yield* Effect.promise(() => readdir(dir));
        yield* Effect.promise(() => chmod(join(dir, file ?? ""), 0o644));
        yield* Effect.promise(() => chmod(dir, 0o755));
        expect(yield* Effect.promise(() => modeOf(join(dir, file ?? "")))).toBe(0o644);

        yield* openStore(dir);
        expect(yield* Effect.promise(() => modeOf(dir))).toBe(0o700);
        expect(yield* Effect.promise(() => modeOf(join(dir, file ?? "")))).toBe(0o600);
      }),
    ),
  );

  it.live("every write leaves 0600/0700, and a poll never sees a broader file", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = join(yield* tempDirectory, "store");
        // A directory others can read (a group- or world-writable one is refused: see
        // StorePermissions.test.ts), and a 0644 file in it.
        yield* Effect.promise(() => mkdir(dir, { mode: 0o755 }));
        const store = yield* openStore(dir);
        yield* store.compareAndSet("alice", 0, canaryTokenSet());
        const tokenFile = join(dir, `${Buffer.from("alice").toString("base64url")}.token.json`);
        yield* Effect.promise(() => chmod(tokenFile, 0o644));

        const seen = new Set<string>();
        let polls = 0;
        let stop = false;
        const poller = yield* Effect.forkChild(
          Effect.promise(async () => {
            while (!stop) {
              for (const entry of await broadEntries(dir)) seen.add(entry);
              polls++;
              await new Promise((resolve) => setImmediate(resolve));
            }
          }),
        );
        const writes = 150;
        for (let generation = 1; generation <= writes; generation++) {
          const result = yield* store.compareAndSet("alice", generation, canaryTokenSet());
          expect(result._tag).toBe("Written");
          expect(yield* Effect.promise(() => modeOf(tokenFile))).toBe(0o600);
          expect(yield* Effect.promise(() => modeOf(dir))).toBe(0o700);
        }
        stop = true;
        yield* Fiber.join(poller);
        // The pre-existing 0644 file is the only broad entry the poll may have seen, and only
        // before the first of the writes replaced it.
        expect([...seen].filter((entry) => !entry.endsWith(" 420"))).toEqual([]);
        expect(polls).toBeGreaterThan(50);

        // The poll does catch a broad file when there is one.
        yield* Effect.promise(() => writeFile(join(dir, "probe.tmp"), "x", { mode: 0o666 }));
        expect(yield* Effect.promise(() => broadEntries(dir))).toEqual(["probe.tmp 438"]);
      }),
    ),
  );

  it.live(
    "orphaned temp files of a crashed writer are removed at startup; a live writer's stay",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const dir = join(yield* tempDirectory, "store");
          yield* openStore(dir);
          const target = `${Buffer.from("alice").toString("base64url")}.token.json`;
          const deadPid = 2_147_483_646;
          const orphans = [
            `${target}.${deadPid}.0a1b2c.tmp`,
            `${target}.${deadPid}.ffffff.tmp`,
            "leftover-without-pid.tmp",
            `${target}.${process.pid}.123456.tmp`, // a live pid, but an hour old: pid reused
          ];
          const live = `${target}.${process.pid}.abcdef.tmp`;
          for (const name of [...orphans, live]) {
            yield* Effect.promise(() => writeFile(join(dir, name), '{"accessToken":"secret"}'));
          }
          const anHourAgo = Date.now() / 1000 - 3600;
          yield* Effect.promise(() => utimes(join(dir, orphans[3] ?? ""), anHourAgo, anHourAgo));

          yield* openStore(dir);
          const left = (yield* Effect.promise(() => readdir(dir))).filter((n) =>
            n.endsWith(".tmp"),
          );
          expect(left).toEqual([live]);
        }),
      ),
  );
});
