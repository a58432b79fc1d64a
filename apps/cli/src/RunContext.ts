/**
 * What every command handler gets besides its own options: the shared options, the output
 * mode decided from them, and the token client they configure. Built once per run from the
 * root command's flags (`CommandKit.ts`), so no command builds its own client.
 */
import type { MalformedTokenError, TokenClient } from "@miro-token/core";
import { Effect, type Layer, type Scope, type Stdio } from "effect";
import { type ConnectionSettings, makeClientLayer } from "./ClientLayer.ts";
import type { UsageError } from "./Failure.ts";
import type { GlobalOptions } from "./GlobalOptions.ts";
import { type OutputMode, resolveOutputMode } from "./Output.ts";
import { InsecureStorePermissions } from "./StorePermissions.ts";

/** Requests of the run's client: in flight now, finished so far (the watch spinner reads it). */
export interface RequestActivity {
  inFlight: number;
  completed: number;
}

/** The run's token client, from the shared options. */
export interface RunClient {
  /**
   * Resolve the connection options (base URL, timeout, retries, credentials) and give the
   * client layer and the settings. Resolved on first use, once: a command that never talks to
   * Miro never reads a client secret, and a command fails on a bad `--base-url` exactly where
   * it first needs the client.
   */
  readonly connect: Effect.Effect<
    { readonly layer: Layer.Layer<TokenClient>; readonly settings: ConnectionSettings },
    UsageError | MalformedTokenError
  >;
  /** Counts every request the client sends. */
  readonly activity: RequestActivity;
}

/** The shared options, the output mode and the client of a run. */
export interface RunContext {
  readonly global: GlobalOptions;
  readonly mode: OutputMode;
  readonly client: RunClient;
}

/** Build the run context from the parsed shared options. */
export const makeRunContext = (
  global: GlobalOptions,
): Effect.Effect<RunContext, never, Stdio.Stdio> =>
  Effect.gen(function* () {
    const mode = yield* resolveOutputMode(global);
    const activity: RequestActivity = { inFlight: 0, completed: 0 };
    const connect = yield* Effect.cached(
      makeClientLayer(global, mode, {
        onStart: () => {
          activity.inFlight += 1;
        },
        onEnd: () => {
          activity.inFlight -= 1;
          activity.completed += 1;
        },
      }),
    );
    return { global, mode, client: { connect, activity } };
  });

/**
 * Run a command's body in its context: in a scope that closes (and with it a PostgreSQL pool)
 * when the command ends, with the store-permission choice of `--insecure-store-permissions`.
 */
export const runCommandBody = <A, E, R>(
  ctx: RunContext,
  body: Effect.Effect<A, E, R>,
): Effect.Effect<A, E, Exclude<R, Scope.Scope>> =>
  Effect.provideService(
    Effect.scoped(body),
    InsecureStorePermissions,
    ctx.global.insecureStorePermissions,
  );
