// The cross-process lock on its own: waiting with backoff until a typed timeout, staleness by
// dead pid and by heartbeat age (on TestClock), heartbeats keeping a held lock fresh, recovery
// of a dead recoverer's break marker, and race-free recovery when many recover at once.
import { lstat, mkdir, readdir, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "@effect/vitest";
import { Effect, Exit, Fiber } from "effect";
import { TestClock } from "effect/testing";
import * as FileLock from "../src/FileLock.ts";
import { nodeStoreFs } from "../src/index.ts";
import { tempDirectory } from "./StoreFixtures.ts";

const DEAD_PID = 2_147_483_646;

const writeOwner = (path: string, pid: number) =>
  Effect.promise(() =>
    writeFile(path, JSON.stringify({ pid, host: hostname(), acquiredAt: 0 }), { flag: "wx" }),
  );

/** Advance the TestClock in steps, letting the real file-system work between sleeps finish. */
const advance = (totalMs: number, stepMs = 100) =>
  Effect.gen(function* () {
    for (let elapsed = 0; elapsed < totalMs; elapsed += stepMs) {
      yield* TestClock.adjust(stepMs);
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 2)));
    }
  });

const held = (path: string) =>
  Effect.scoped(FileLock.acquire(nodeStoreFs, path, { timeout: "1 second" }).pipe(Effect.asVoid));

describe("FileLock", () => {
  it.effect("a live holder's lock is waited for with backoff, then a typed timeout", () =>
    Effect.scoped(
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now());
        const path = join(yield* tempDirectory, "t.lock");
        yield* writeOwner(path, process.pid);
        const waiter = yield* Effect.forkChild(
          Effect.scoped(FileLock.acquire(nodeStoreFs, path, { timeout: "5 seconds" })),
        );
        yield* advance(4_000);
        expect(waiter.pollUnsafe()).toBeUndefined();
        yield* advance(2_000);
        const exit = yield* Fiber.await(waiter);
        expect(Exit.isFailure(exit)).toBe(true);
        const error = yield* Effect.flip(Fiber.join(waiter));
        expect(error).toMatchObject({ _tag: "StoreError", operation: "lock" });
        expect(error.reason).toBe(`timed out after 5000 ms (held by pid ${process.pid})`);
      }),
    ),
  );

  it.effect("a lock whose holder pid is gone is recovered at once", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const path = join(yield* tempDirectory, "t.lock");
        yield* writeOwner(path, DEAD_PID);
        const recovered = yield* Effect.scoped(FileLock.acquire(nodeStoreFs, path));
        expect(recovered).toBe(true);
        yield* Effect.promise(() => expect(lstat(path)).rejects.toThrow(/ENOENT/));
      }),
    ),
  );

  it.effect("a live pid with a heartbeat older than staleAfter is stale; a fresh one is not", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const path = join(yield* tempDirectory, "t.lock");
        yield* writeOwner(path, process.pid);
        const written = (yield* Effect.promise(() => lstat(path))).mtimeMs;
        yield* TestClock.setTime(written + 9_000);
        const early = yield* Effect.flip(
          Effect.scoped(FileLock.acquire(nodeStoreFs, path, { timeout: 0 })),
        );
        expect(early.reason).toMatch(/^timed out/);
        yield* TestClock.setTime(written + 11_000);
        expect(yield* Effect.scoped(FileLock.acquire(nodeStoreFs, path, { timeout: 0 }))).toBe(
          true,
        );
      }),
    ),
  );

  it.effect("the holder's heartbeat keeps its lock fresh for as long as it holds it", () =>
    Effect.scoped(
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now());
        const path = join(yield* tempDirectory, "t.lock");
        const holder = yield* Effect.forkChild(
          Effect.scoped(
            FileLock.acquire(nodeStoreFs, path).pipe(Effect.andThen(Effect.sleep("60 seconds"))),
          ),
        );
        yield* advance(200);
        const contender = yield* Effect.forkChild(
          Effect.scoped(FileLock.acquire(nodeStoreFs, path, { timeout: "120 seconds" })),
        );
        yield* advance(40_000, 500);
        expect(contender.pollUnsafe()).toBeUndefined();
        yield* advance(25_000, 500);
        expect(holder.pollUnsafe()).toBeDefined();
        expect(yield* Fiber.join(contender)).toBe(false);
      }),
    ),
  );

  it.effect("the break marker of a recoverer that died is itself recovered", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDirectory;
        const path = join(dir, "t.lock");
        yield* writeOwner(path, DEAD_PID);
        const stats = yield* Effect.promise(() => lstat(path));
        yield* writeOwner(FileLock.breakMarkerPath(path, stats), DEAD_PID + 1);
        const waiter = yield* Effect.forkChild(
          Effect.scoped(FileLock.acquire(nodeStoreFs, path, { timeout: "5 seconds" })),
        );
        yield* advance(1_000);
        expect(yield* Fiber.join(waiter)).toBe(true);
        expect(yield* Effect.promise(() => readdir(dir))).toEqual([]);
      }),
    ),
  );

  it.live("many concurrent recoverers of one stale lock: never two holders at once", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDirectory;
        let inside = 0;
        let maxInside = 0;
        let entries = 0;
        for (let round = 0; round < 20; round++) {
          const path = join(dir, `r${round}.lock`);
          yield* writeOwner(path, DEAD_PID);
          yield* Effect.forEach(
            Array.from({ length: 8 }),
            () =>
              Effect.scoped(
                FileLock.acquire(nodeStoreFs, path, { timeout: "10 seconds" }).pipe(
                  Effect.andThen(
                    Effect.sync(() => {
                      inside++;
                      entries++;
                      maxInside = Math.max(maxInside, inside);
                    }),
                  ),
                  Effect.andThen(Effect.promise(() => new Promise((r) => setTimeout(r, 1)))),
                  Effect.andThen(Effect.sync(() => inside--)),
                ),
              ),
            { concurrency: "unbounded" },
          );
        }
        expect(entries).toBe(20 * 8);
        expect(maxInside).toBe(1);
        expect(yield* Effect.promise(() => readdir(dir))).toEqual([]);
      }),
    ),
  );

  it.live("an interrupted waiter leaves no lock file behind; a holder's lock goes on release", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDirectory;
        const path = join(dir, "t.lock");
        yield* held(path);
        expect(yield* Effect.promise(() => readdir(dir))).toEqual([]);
        const holder = yield* Effect.forkChild(
          Effect.scoped(FileLock.acquire(nodeStoreFs, path).pipe(Effect.andThen(Effect.never))),
        );
        yield* Effect.sleep("50 millis");
        expect(yield* Effect.promise(() => readdir(dir))).toEqual(["t.lock"]);
        yield* Fiber.interrupt(holder);
        expect(yield* Effect.promise(() => readdir(dir))).toEqual([]);
      }),
    ),
  );

  it.effect(
    "a heartbeat in the future that does not move is stale after staleAfter, not forever",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          yield* TestClock.setTime(Date.now());
          const path = join(yield* tempDirectory, "t.lock");
          // A live holder on this host, as a touch with a future date or a clock set back leaves it.
          yield* writeOwner(path, process.pid);
          const tomorrow = (Date.now() + 86_400_000) / 1000;
          yield* Effect.promise(() => utimes(path, tomorrow, tomorrow));
          const waiter = yield* Effect.forkChild(
            Effect.scoped(FileLock.acquire(nodeStoreFs, path, { timeout: "30 seconds" })),
          );
          yield* advance(9_000);
          expect(waiter.pollUnsafe()).toBeUndefined();
          yield* advance(2_000);
          expect(yield* Fiber.join(waiter)).toBe(true);
        }),
      ),
  );

  it.effect("a directory at the lock path is a broken lock, reported at once and left alone", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDirectory;
        const path = join(dir, "t.lock");
        yield* Effect.promise(() => mkdir(path));
        const error = yield* Effect.flip(
          Effect.scoped(FileLock.acquire(nodeStoreFs, path, { timeout: "30 seconds" })),
        );
        expect(error).toMatchObject({ _tag: "StoreError", operation: "lock" });
        expect(error.reason).toBe(
          "broken lock: t.lock is a directory, not a lock file; remove it to unblock this token",
        );
        expect((yield* Effect.promise(() => lstat(path))).isDirectory()).toBe(true);
      }),
    ),
  );
});
