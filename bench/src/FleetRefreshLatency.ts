/**
 * The refresh latency a store adds: core's refresher (`refresherFor`: lock, re-read, intent,
 * the refresh at the emulator, compare-and-set, unlock) timed on the file store and on the
 * PostgreSQL store, one refresh of each per round in alternating order, so both meet the same
 * machine. The emulator's own time is in both; the difference of the percentiles is the
 * store's share.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  MiroConfig,
  refresherFor,
  TokenClient,
  TokenStore,
  type TokenStoreShape,
} from "@miro-token/core";
import { FileTokenStore } from "@miro-token/store-file";
import { type PostgresStoreOptions, PostgresTokenStore } from "@miro-token/store-postgres";
import { NodeTransport } from "@miro-token/transport-node";
import { Context, Effect, Layer, Redacted, type Scope } from "effect";

/** Percentiles of one store's refreshes, in milliseconds. */
export interface LatencyResult {
  readonly p50: number;
  readonly p99: number;
  readonly count: number;
}

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;

const seed = (store: TokenStoreShape, issue: () => Promise<unknown>, tokens: number) =>
  Effect.forEach(
    Array.from({ length: tokens }, (_, i) => i),
    (i) =>
      Effect.gen(function* () {
        const issued = (yield* Effect.promise(issue)) as {
          accessToken: string;
          refreshToken: string;
          scope: string;
        };
        yield* store.compareAndSet(`r-${i}`, 0, {
          accessToken: Redacted.make(issued.accessToken),
          refreshToken: Redacted.make(issued.refreshToken),
          expiresAt: Date.now() + 3_600_000,
          scopes: issued.scope.split(" "),
        });
      }),
    { concurrency: 8, discard: true },
  );

/**
 * Time `rounds` refreshes on each store (tokens used round-robin).
 */
export const measureRefreshLatency = (input: {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly issue: () => Promise<unknown>;
  readonly postgres: PostgresStoreOptions;
  readonly rounds: number;
}): Promise<{ readonly file: LatencyResult; readonly postgres: LatencyResult }> => {
  const directory = mkdtempSync(join(tmpdir(), "fleet-bench-file-"));
  const program: Effect.Effect<
    { file: LatencyResult; postgres: LatencyResult },
    unknown,
    Scope.Scope | TokenClient
  > = Effect.gen(function* () {
    const client = yield* TokenClient;
    const file = Context.get(yield* Layer.build(FileTokenStore.layer({ directory })), TokenStore);
    const postgres = yield* PostgresTokenStore.make(input.postgres);
    const tokens = Math.min(50, input.rounds);
    yield* seed(file, input.issue, tokens);
    yield* seed(postgres, input.issue, tokens);
    const stores = { file, postgres };
    const times: Record<"file" | "postgres", Array<number>> = { file: [], postgres: [] };
    const generations = new Map<string, number>();
    for (let round = 0; round < input.rounds; round++) {
      const order: Array<"file" | "postgres"> =
        round % 2 === 0 ? ["file", "postgres"] : ["postgres", "file"];
      for (const name of order) {
        const id = `r-${round % tokens}`;
        const key = `${name}:${id}`;
        const started = performance.now();
        const stored = yield* refresherFor(stores[name], client).refresh(
          id,
          generations.get(key) ?? 1,
        );
        times[name].push(performance.now() - started);
        generations.set(key, stored.generation);
      }
    }
    const summary = (values: Array<number>): LatencyResult => {
      const sorted = [...values].sort((a, b) => a - b);
      return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), count: sorted.length };
    };
    return { file: summary(times.file), postgres: summary(times.postgres) };
  });
  const clientLayer = TokenClient.layer.pipe(
    Layer.provide(NodeTransport.layer),
    Layer.provide(
      MiroConfig.layer({
        baseUrl: input.baseUrl,
        clientId: input.clientId,
        clientSecret: Redacted.make(input.clientSecret),
      }),
    ),
  );
  return Effect.runPromise(
    Effect.scoped(program).pipe(Effect.provide(clientLayer), Effect.orDie),
  ).finally(() => rmSync(directory, { recursive: true, force: true }));
};
