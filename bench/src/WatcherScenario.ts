/**
 * One watcher-bench scenario, run once per store: seed N emulator-issued tokens into a file
 * store, optionally seal every record under a generated key (through `FileRekey.rekey`, the
 * store's own migration), and run the soak watcher over it with ~1% injected faults. Split from
 * `WatcherBench.ts` so `--compare-encryption` can run the same scenario on a plaintext and a
 * sealed store in one bench run.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TokenStore } from "@miro-token/core";
import { FileRekey, FileTokenStore } from "@miro-token/store-file";
import { keyringFromEnv } from "@miro-token/store-file/crypto";
import { Effect, Option, Redacted } from "effect";
// The watcher side, shared with the CI-scale soak test: it runs in its own process.
import { spawnSoakWatcher } from "../../apps/watcher/test/fixtures/SoakLaunch.ts";

/** POSTs a control request to the emulator and returns its JSON body. */
export type Control = (path: string, body: unknown) => Promise<unknown>;

/** The soak watcher's result line (see `SoakWatcher.ts`). */
export interface SoakResult {
  readonly states: Record<string, number>;
  readonly statusLines: number;
  readonly probes: number;
  readonly windowSeconds: number;
  readonly cpuSeconds: number;
  readonly heapBefore: number;
  /** Heap of the decoded token set alone (what no watch can do without). */
  readonly tokenSetHeap: number;
  readonly heapAtSample: number;
  readonly heapAtEnd: number;
  readonly heapSamples: Array<{ minute: number; heap: number }>;
  readonly rssBefore: number;
  readonly rssAtEnd: number;
  readonly memoryAtEnd: NodeJS.MemoryUsage;
  readonly maxRss: number;
  readonly loopDelayP99Ms: number;
  readonly clean: boolean;
  readonly closeMs: number;
  readonly collected: boolean;
  readonly handles: Array<string>;
}

/**
 * Issues `tokens` tokens from the emulator and stores them (plaintext) in `directory`.
 * Returns each id's access token, to scan a sealed store for.
 */
export const seedStore = async (
  baseUrl: string,
  control: Control,
  tokens: number,
  directory: string,
): Promise<ReadonlyMap<string, string>> => {
  const clock = (await (await fetch(`${baseUrl}/__emulator/clock`)).json()) as { now: number };
  const issuedTokens = new Map<string, string>();
  await Effect.runPromise(
    Effect.gen(function* () {
      const store = yield* TokenStore;
      yield* Effect.forEach(
        Array.from({ length: tokens }, (_, i) => i),
        (i) =>
          Effect.gen(function* () {
            const issued = (yield* Effect.promise(() =>
              control("tokens", { userId: String(3_074_457_000_000_000_000n + BigInt(i)) }),
            )) as { accessToken: string; refreshToken?: string; expiresIn?: number; scope: string };
            issuedTokens.set(`bench-${i}`, issued.accessToken);
            yield* store.compareAndSet(`bench-${i}`, 0, {
              accessToken: Redacted.make(issued.accessToken),
              ...(issued.refreshToken === undefined
                ? {}
                : { refreshToken: Redacted.make(issued.refreshToken) }),
              expiresAt: clock.now + (issued.expiresIn ?? 3_599) * 1000,
              scopes: issued.scope.split(" "),
            });
          }),
        { concurrency: 32, discard: true },
      );
    }).pipe(Effect.provide(FileTokenStore.layer({ directory }))),
  );
  return issuedTokens;
};

/**
 * Seals every record of `directory` under a freshly generated key with `FileRekey.rekey`, checks
 * that no token file still holds its access token (`accessTokens`, by id), and returns the keyring's JSON (for
 * `MIRO_TOKEN_STORE_KEYS`), parsed by the same `keyringFromEnv` the watcher uses.
 */
export const sealStore = async (
  directory: string,
  accessTokens: ReadonlyMap<string, string>,
): Promise<string> => {
  const keysJson = JSON.stringify({
    current: "bench",
    keys: { bench: randomBytes(32).toString("base64") },
  });
  const keyring = Option.getOrThrow(
    await Effect.runPromise(keyringFromEnv({ MIRO_TOKEN_STORE_KEYS: keysJson })),
  );
  const report = await Effect.runPromise(FileRekey.rekey({ directory, keyring }));
  if (report.rekeyed !== accessTokens.size)
    throw new Error(`sealed ${report.rekeyed} of ${accessTokens.size} records`);
  let scanned = 0;
  for (const name of readdirSync(directory)) {
    if (!name.endsWith(".token.json")) continue;
    const text = readFileSync(join(directory, name), "utf8");
    const id = (JSON.parse(text) as { id: string }).id;
    if (!text.includes('"sealed"')) throw new Error(`${id}'s file was not sealed`);
    const token = accessTokens.get(id);
    if (token === undefined || text.includes(token)) throw new Error(`${id}: token in clear`);
    scanned += 1;
  }
  if (scanned !== accessTokens.size) throw new Error(`found ${scanned} token files`);
  return keysJson;
};

/** How one watcher run is set up. */
export interface WatchRun {
  readonly baseUrl: string;
  readonly control: Control;
  readonly directory: string;
  readonly tokens: number;
  readonly intervalMs: number;
  readonly durationMs: number;
  readonly sampleAtMs: number;
  /** The keyring's JSON for a sealed store. */
  readonly storeKeys?: string;
  /** Run another checkout's soak watcher (`--compare-with`). */
  readonly script?: string;
}

/**
 * Runs the soak watcher over `run.directory` while injecting ~1% faults (rotating 503, reset
 * and 429 with Retry-After 1 s); returns its result line and how long it took to exit after it.
 */
export const watchStore = async (
  run: WatchRun,
): Promise<{ result: SoakResult; exitedAfterMs: number }> => {
  const { baseUrl, control, tokens, intervalMs, durationMs } = run;
  const faults = [
    { kind: "status", status: 503 },
    { kind: "reset" },
    { kind: "status", status: 429, headers: { "retry-after": "1" } },
  ];
  const faultEveryMs = Math.max(50, Math.round(100_000 / (tokens / (intervalMs / 1000))));
  let faultCount = 0;
  const injector = setInterval(() => {
    void control("faults", { route: "token-info", fault: faults[faultCount++ % faults.length] });
  }, faultEveryMs);
  console.log(
    `watching ${tokens} tokens${run.storeKeys === undefined ? "" : " (sealed store)"} every ${intervalMs / 1000} s for ${durationMs / 60_000} min (faults every ${faultEveryMs} ms) ...`,
  );
  const seed = (await (await fetch(`${baseUrl}/__emulator/seed`)).json()) as {
    client: { clientId: string; clientSecret: string };
  };
  const soak = spawnSoakWatcher({
    store: run.directory,
    baseUrl,
    clientId: seed.client.clientId,
    clientSecret: seed.client.clientSecret,
    durationMs,
    sampleAtMs: run.sampleAtMs,
    warmupMs: Math.min(intervalMs, durationMs / 2),
    intervalMs,
    graceSeconds: 300,
    nodeFlags: (process.env.WATCHER_NODE_FLAGS ?? "").split(" ").filter((flag) => flag !== ""),
    stderr: "inherit",
    ...(run.storeKeys === undefined ? {} : { storeKeys: run.storeKeys }),
    ...(run.script === undefined ? {} : { script: run.script }),
  });
  const code = await soak.exit;
  const printedAt = soak.printedAt();
  const exitedAfterMs = printedAt === 0 ? Number.NaN : Date.now() - printedAt;
  clearInterval(injector);
  // Faults still queued must not reach the next measurement.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await fetch(`${baseUrl}/__emulator/faults`, { method: "DELETE" });
  if (code !== 0 || printedAt === 0) throw new Error(`the watcher process exited with ${code}`);
  return { result: JSON.parse(soak.stdout().trim()) as SoakResult, exitedAfterMs };
};
