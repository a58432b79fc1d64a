// RELIABILITY target 15: 100 injected ENOSPC/EIO/EACCES failures on write, fsync or rename.
// The good file on disk is never truncated or changed, the error is a typed StoreError without
// secrets, no temp file is left behind; and a refresher that keeps the new pair in memory and
// retries the persist never re-presents the old refresh token (0 reuse at the emulator).
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "@effect/vitest";
import { MiroConfig, TokenClient, type TokenSet } from "@miro-token/core";
import { errorSurfaces, findLeaks } from "@miro-token/testkit";
import { NodeTransport } from "@miro-token/transport-node";
import { Effect, Layer, Option, Redacted, Schedule } from "effect";
import { type FaultStep, makeFaultyFs } from "./FaultyFs.ts";
import {
  canaryTokenSet,
  openStore,
  refreshOf,
  scopedEmulator,
  tempDirectory,
} from "./StoreFixtures.ts";

const STEPS: ReadonlyArray<FaultStep> = ["write", "fsync", "rename"];
const CODES = ["ENOSPC", "EIO", "EACCES"];

describe("persist failures (target 15)", () => {
  it.live("100 injected failures never damage the good file nor leave a temp file", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDirectory;
        const faulty = makeFaultyFs();
        const store = yield* openStore(dir, faulty.fs);
        const file = join(dir, `${Buffer.from("alice").toString("base64url")}.token.json`);
        let good = canaryTokenSet();
        yield* store.compareAndSet("alice", 0, good);
        let generation = 1;
        const secrets: Array<string> = [];

        for (let i = 0; i < 100; i++) {
          const before = yield* Effect.promise(() => readFile(file, "utf8"));
          const step = STEPS[i % 3] ?? "write";
          const code = CODES[Math.floor(i / 3) % 3] ?? "EIO";
          const next = canaryTokenSet();
          secrets.push(Redacted.value(next.accessToken), refreshOf(next));
          faulty.arm(step, code);
          const error = yield* Effect.flip(store.compareAndSet("alice", generation, next));
          expect(error._tag).toBe("StoreError");
          expect(error.reason).toBe(`${code} (${step})`);
          expect(findLeaks(errorSurfaces(error), secrets)).toEqual([]);
          expect(yield* Effect.promise(() => readFile(file, "utf8"))).toBe(before);
          expect((yield* Effect.promise(() => stat(file))).mode & 0o777).toBe(0o600);
          const left = yield* Effect.promise(() => readdir(dir));
          expect(left.filter((name) => name.endsWith(".tmp"))).toEqual([]);
          const stored = yield* store.get("alice");
          expect(Option.map(stored, (s) => [s.generation, refreshOf(s.tokenSet)])).toEqual(
            Option.some([generation, refreshOf(good)]),
          );
          // Every tenth round a write goes through, so the "good file" keeps changing.
          if (i % 10 === 9) {
            good = next;
            const written = yield* store.compareAndSet("alice", generation, good);
            expect(written._tag).toBe("Written");
            generation++;
          }
        }
        expect(faulty.injected()).toBe(100);
      }),
    ),
  );

  it.live("a refresher keeps the new pair and retries the persist: 0 reuse at the emulator", () =>
    Effect.gen(function* () {
      const emulator = yield* scopedEmulator;
      const client = emulator.seed!.client;
      const issued = emulator.issueTokens({ clientId: client.clientId, expiring: true });
      const dir = yield* tempDirectory;
      const faulty = makeFaultyFs();
      const store = yield* openStore(dir, faulty.fs);
      const initial: TokenSet = {
        accessToken: Redacted.make(issued.accessToken),
        refreshToken: Redacted.make(issued.refreshToken!),
        scopes: [],
      };
      yield* store.compareAndSet("alice", 0, initial);
      const tokens = yield* Effect.provide(
        Effect.gen(function* () {
          const client = yield* TokenClient;
          for (let round = 0; round < 12; round++) {
            const current = Option.getOrThrow(yield* store.get("alice"));
            const fresh = yield* client.refresh(current.tokenSet);
            // Two failed persists, then the retry with the same in-memory pair succeeds.
            let failures = 0;
            faulty.arm(STEPS[round % 3] ?? "write", CODES[round % 3] ?? "EIO");
            const persist = store.compareAndSet("alice", current.generation, fresh).pipe(
              Effect.tapError(() =>
                Effect.sync(() => {
                  if (++failures === 1) faulty.arm(STEPS[(round + 1) % 3] ?? "write", "EIO");
                }),
              ),
              Effect.retry({ schedule: Schedule.spaced("5 millis"), times: 3 }),
            );
            const result = yield* persist;
            expect(result._tag).toBe("Written");
          }
          return Option.getOrThrow(yield* store.get("alice")).tokenSet;
        }),
        TokenClient.layer.pipe(
          Layer.provide(NodeTransport.layer),
          Layer.provide(
            MiroConfig.layer({
              baseUrl: emulator.baseUrl,
              clientId: client.clientId,
              clientSecret: client.clientSecret,
            }),
          ),
        ),
      );
      const tokenRequests = emulator.requests.filter((r) => r.route === "token");
      expect(tokenRequests).toHaveLength(12);
      expect(tokenRequests.filter((r) => r.status !== 200)).toEqual([]);
      expect(emulator.refreshTokenState(refreshOf(tokens))).toBe("active");
      expect(faulty.injected()).toBe(24);
      const left = yield* Effect.promise(() => readdir(dir));
      expect(left.filter((name) => name.endsWith(".tmp"))).toEqual([]);
    }).pipe(Effect.scoped),
  );
});
