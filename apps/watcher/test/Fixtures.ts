/**
 * Test fixtures: an emulator whose clock follows real time, a file store filled with tokens
 * the emulator issued, an in-process watcher whose NDJSON lines are captured, and polling.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TokenSet, TokenStore } from "@miro-token/core";
import { type Emulator, type IssuedTokens, startEmulator } from "@miro-token/emulator";
import { FileTokenStore } from "@miro-token/store-file";
import { Effect, Redacted } from "effect";
import { afterEach } from "vitest";
import { type HttpServerOptions, serveHttp } from "../src/HttpServer.ts";
import { type Metrics, makeMetrics } from "../src/Metrics.ts";
import { makeStatusBoard, type StatusBoard } from "../src/StatusBoard.ts";
import { type RunningWatcher, startWatcher, type WatcherOptions } from "../src/Watcher.ts";
import { startServed } from "./ServedHttp.ts";

/** Options of the HTTP server alone: port 0 of 127.0.0.1, always healthy, then `options`. */
export const boardServerOptions = (
  board: StatusBoard,
  metrics: Metrics,
  options: Partial<Omit<HttpServerOptions, "board" | "metrics">> = {},
): HttpServerOptions => ({
  board,
  metrics,
  health: () => ({ status: "ok" }),
  port: 0,
  host: "127.0.0.1",
  ...options,
});

/**
 * The HTTP server alone on port 0 of 127.0.0.1 (unless `options` say otherwise), over a board
 * fed by hand; `stop` closes the server and the metrics.
 */
export const startBoardServer = async (
  options: Partial<Omit<HttpServerOptions, "board" | "metrics">> = {},
) => {
  const board = makeStatusBoard();
  const metrics = makeMetrics({ board });
  try {
    const server = await startServed(serveHttp(boardServerOptions(board, metrics, options)));
    const stop = async () => {
      await server.close();
      metrics.close();
    };
    return { board, server, stop };
  } catch (error) {
    metrics.close();
    throw error;
  }
};

/** A temporary directory removed by `cleanup`. */
export const tempDir = (prefix = "watcher-"): { path: string; cleanup: () => void } => {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
};

/**
 * An emulator whose clock is kept equal to real time (the watcher schedules on real time, so
 * the two agree on when a token expires). `stop` ends the ticker and the server.
 */
export const startSyncedEmulator = async (
  options: Parameters<typeof startEmulator>[0] = {},
): Promise<{ emulator: Emulator; stop: () => Promise<void> }> => {
  const emulator = await startEmulator({ now: Date.now(), ...options });
  const ticker = setInterval(() => {
    const now = Date.now();
    if (now > emulator.clock.now()) emulator.clock.set(now);
  }, 10);
  return {
    emulator,
    stop: async () => {
      clearInterval(ticker);
      await emulator.close();
    },
  };
};

/** A core token set for tokens the emulator issued at its current time. */
export const tokenSetOf = (issued: IssuedTokens, issuedAt: number): TokenSet => ({
  accessToken: Redacted.make(issued.accessToken),
  ...(issued.refreshToken === undefined
    ? {}
    : { refreshToken: Redacted.make(issued.refreshToken) }),
  ...(issued.expiresIn === undefined ? {} : { expiresAt: issuedAt + issued.expiresIn * 1000 }),
  scopes: issued.scope.split(" "),
  teamId: issued.teamId,
  userId: issued.userId,
});

/** Write token sets into the file store at `directory` (generation 1 each). */
export const writeTokens = (
  directory: string,
  entries: ReadonlyArray<{ readonly id: string; readonly tokenSet: TokenSet }>,
): Promise<void> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const store = yield* TokenStore;
      yield* Effect.forEach(
        entries,
        ({ id, tokenSet }) =>
          Effect.flatMap(store.compareAndSet(id, 0, tokenSet), (written) =>
            written._tag === "Written" ? Effect.void : Effect.die(`could not write ${id}`),
          ),
        { concurrency: 32, discard: true },
      );
    }).pipe(Effect.provide(FileTokenStore.layer({ directory }))),
  );

/** Remove a token from the file store. */
export const deleteToken = (directory: string, id: string): Promise<void> =>
  Effect.runPromise(
    TokenStore.use((store) => Effect.asVoid(store.delete(id))).pipe(
      Effect.provide(FileTokenStore.layer({ directory })),
    ),
  );

/** Read every stored token (with secrets, for assertions). */
export const readStore = (directory: string) =>
  Effect.runPromise(
    TokenStore.use((store) => store.list()).pipe(
      Effect.provide(FileTokenStore.layer({ directory })),
    ),
  );

/** Issue `count` expiring token sets and store them as `token-0`, `token-1`, ... */
export const issueAndStore = async (
  emulator: Emulator,
  directory: string,
  count: number,
  options: Parameters<Emulator["issueTokens"]>[0] = {},
): Promise<ReadonlyArray<IssuedTokens & { readonly id: string }>> => {
  const issued = Array.from({ length: count }, (_, i) => ({
    ...emulator.issueTokens(options),
    id: `token-${i}`,
  }));
  const at = emulator.clock.now();
  await writeTokens(
    directory,
    issued.map((t) => ({ id: t.id, tokenSet: tokenSetOf(t, at) })),
  );
  return issued;
};

/** A watcher whose NDJSON lines are collected in `lines`. */
export interface TestWatcher extends RunningWatcher {
  readonly lines: Array<string>;
  readonly events: () => Array<Record<string, unknown>>;
}

/** Start a watcher on `directory` against `emulator`, port 0, output captured. */
export const startTestWatcher = async (
  emulator: Emulator,
  directory: string,
  options: Partial<WatcherOptions> = {},
): Promise<TestWatcher> => {
  const lines: Array<string> = [];
  const client = emulator.seed!.client;
  const watcher = await startWatcher({
    store: FileTokenStore.layer({ directory }),
    port: 0,
    output: (line) => lines.push(line),
    ...options,
    miro: {
      baseUrl: emulator.baseUrl,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      ...options.miro,
    },
    watch: { interval: 200, jitter: 0, ...options.watch },
  });
  return {
    ...watcher,
    lines,
    events: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
};

/** Poll `check` every 20 ms until it returns a value other than `undefined`/`false`. */
export const waitFor = async <A>(
  what: string,
  check: () => A | undefined | false | Promise<A | undefined | false>,
  timeoutMs = 10_000,
): Promise<A> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** GET a JSON document. */
export const getJson = async <A = Record<string, unknown>>(url: string): Promise<A> => {
  const response = await fetch(url);
  return (await response.json()) as A;
};

/** The rows of `/tokens`. */
export interface TokensDocument {
  readonly count: number;
  readonly byState: Record<string, number>;
  readonly tokens: ReadonlyArray<{
    readonly id: string;
    readonly fingerprint: string;
    readonly generation: number;
    readonly state: string;
    readonly expiresAt: string | null;
    readonly reason: string | null;
    /** Quarantined rows only: the unreadable entry's file name. */
    readonly file?: string;
  }>;
}

/** The state of each token in `/tokens`, by id. */
export const statesOf = async (url: string): Promise<Record<string, string>> => {
  const doc = await getJson<TokensDocument>(`${url}/tokens`);
  return Object.fromEntries(doc.tokens.map((t) => [t.id, t.state]));
};

/**
 * The test's cleanups: push a function and it runs after the test, the last pushed first. One
 * place for the stack the watcher's test files keep (servers, watchers, temp directories).
 */
export const cleanupsAfterEach = (): Array<() => unknown> => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return cleanups;
};
