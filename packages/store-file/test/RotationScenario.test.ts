// Key rotation end to end [real processes]: a store sealed under k1 in use by refresher
// processes (the conformance worker, refreshing at the emulator through the store protocol);
// k2 becomes current; `rekey` runs as its own process and is SIGKILLed part-way; it is resumed;
// k1 is removed from the keyring. Then every token opens under k2 alone and is active at the
// emulator, no refresh failed or conflicted, and no token of the run (as seeded, or as
// finally stored) appears in any file of the directory.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "@effect/vitest";
import { findLeaks, killAllWorkers, startWorker, type Worker } from "@miro-token/testkit";
import { Effect, Fiber, Option, Redacted } from "effect";
import { keyIdsOfDirectory } from "../src/FileSealing.ts";
import { FileRekey, FileTokenStore } from "../src/index.ts";
import { nodeStoreFs } from "../src/StoreFs.ts";
import { testKeyring, testKeysEnv } from "./Keys.ts";
import { refreshOf, scopedEmulator, tempDirectory } from "./StoreFixtures.ts";

const CONFORMANCE_WORKER = fileURLToPath(
  new URL("./fixtures/ConformanceWorker.ts", import.meta.url),
);
const REKEY_WORKER = fileURLToPath(new URL("./fixtures/RekeyWorker.ts", import.meta.url));
const TOKENS = 40;
const REFRESHED = ["user-0", "user-1"];

afterEach(killAllWorkers);

const directoryText = (directory: string) =>
  Effect.promise(async () => {
    const names = await readdir(directory);
    const texts = await Promise.all(
      names.map((name) => readFile(join(directory, name), "utf8").catch(() => "")),
    );
    return texts.join("\n");
  });

const keyIdCounts = (directory: string) =>
  Effect.map(keyIdsOfDirectory(nodeStoreFs, directory, "test"), (files) => {
    const counts: Record<string, number> = {};
    for (const { keyId } of files) counts[String(keyId)] = (counts[String(keyId)] ?? 0) + 1;
    return counts;
  });

describe("key rotation with refreshers running and a SIGKILLed rekey", () => {
  it.live(
    "every token usable under the new key alone; no plaintext token on disk",
    () =>
      Effect.gen(function* () {
        const directory = yield* tempDirectory;
        const emulator = yield* scopedEmulator;
        const client = emulator.seed!.client;
        const seeded: Array<string> = [];
        const before = yield* FileTokenStore.make({
          directory,
          keyring: testKeyring("k1", ["k1"]),
        });
        for (let n = 0; n < TOKENS; n++) {
          const issued = emulator.issueTokens({ clientId: client.clientId, expiring: true });
          seeded.push(issued.accessToken, issued.refreshToken ?? "");
          yield* before.compareAndSet(`user-${n}`, 0, {
            accessToken: Redacted.make(issued.accessToken),
            refreshToken: Redacted.make(issued.refreshToken ?? ""),
            scopes: [],
          });
        }

        // k2 becomes current for every process from here on (k1 kept to read the rest).
        const rotatingEnv = testKeysEnv("k2", ["k1", "k2"]);
        const store = yield* FileTokenStore.make({
          directory,
          keyring: testKeyring("k2", ["k1", "k2"]),
        });
        const refreshers = yield* Effect.promise(() =>
          Promise.all(
            REFRESHED.map((id) =>
              startWorker({
                script: CONFORMANCE_WORKER,
                args: [directory, id],
                env: {
                  MIRO_API_BASE_URL: emulator.baseUrl,
                  MIRO_CLIENT_ID: client.clientId,
                  MIRO_CLIENT_SECRET: client.clientSecret,
                  MIRO_TOKEN_STORE_KEYS: rotatingEnv,
                },
              }),
            ),
          ),
        );
        // Refresh rounds back to back until the rotation is over (the first and last rounds
        // surround both rekey runs).
        let rotating = true;
        const roundsOf = (worker: Worker, id: string) =>
          Effect.gen(function* () {
            const outcomes: Array<string> = [];
            for (let n = 1; rotating || n <= 2; n++) {
              const generation = Option.getOrThrow(yield* store.get(id)).generation;
              worker.send(`round ${n} ${generation}`);
              const line = yield* Effect.promise(() => worker.next(new RegExp(`^done ${n} `)));
              outcomes.push(line.split(" ")[2] ?? "");
            }
            return outcomes;
          });

        // rekey in its own process, killed after a few records.
        const rekeyer = yield* Effect.promise(() =>
          startWorker({
            script: REKEY_WORKER,
            args: [directory, "40"],
            env: { MIRO_TOKEN_STORE_KEYS: rotatingEnv },
          }),
        );
        const refreshing = yield* Effect.forkChild(
          Effect.all(
            refreshers.map((worker, i) => roundsOf(worker, REFRESHED[i]!)),
            { concurrency: "unbounded" },
          ),
        );
        for (let n = 0; n < 8; n++) yield* Effect.promise(() => rekeyer.next(/^record /));
        rekeyer.kill();
        expect(yield* Effect.promise(() => rekeyer.exited)).toBe("SIGKILL");
        const afterKill = yield* keyIdCounts(directory);
        expect(afterKill.k1).toBeGreaterThan(0);
        expect(afterKill.k2).toBeGreaterThanOrEqual(8);

        // Resume while the refreshers may still be running.
        const resumed = yield* FileRekey.rekey({
          directory,
          keyring: testKeyring("k2", ["k1", "k2"]),
        });
        expect(resumed.quarantined).toEqual([]);
        rotating = false;
        const outcomes = (yield* Fiber.join(refreshing)).flat();
        expect(outcomes.filter((o) => o !== "refreshed" && o !== "skipped")).toEqual([]);
        expect(outcomes.filter((o) => o === "refreshed").length).toBeGreaterThan(0);
        // Anything written meanwhile was written under k2 already.
        expect(yield* keyIdCounts(directory)).toEqual({ k2: TOKENS });

        // Remove k1: every token opens under k2 alone and is alive at Miro.
        const after = yield* FileTokenStore.make({ directory, keyring: testKeyring("k2", ["k2"]) });
        const entries = yield* after.list();
        expect(entries.length).toBe(TOKENS);
        for (const entry of entries) {
          expect(emulator.accessTokenState(Redacted.value(entry.tokenSet.accessToken))).toBe(
            "active",
          );
          expect(emulator.refreshTokenState(refreshOf(entry.tokenSet))).toBe("active");
        }
        const stored = entries.flatMap((e) => [
          Redacted.value(e.tokenSet.accessToken),
          refreshOf(e.tokenSet),
        ]);
        expect(findLeaks(yield* directoryText(directory), [...seeded, ...stored])).toEqual([]);
        console.log(
          `rotation: killed rekey after ${afterKill.k2} k2 / ${afterKill.k1} k1 documents; resume re-sealed ${resumed.rekeyed}; ` +
            `${outcomes.filter((o) => o === "refreshed").length} refreshes during the rotation`,
        );
      }).pipe(Effect.scoped),
    { timeout: 120_000 },
  );
});
