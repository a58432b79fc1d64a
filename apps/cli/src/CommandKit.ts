/**
 * What the command files share: the flags several commands take (`--token-file`, `-`,
 * `--store` and `--store-url-file`, `--show-token`) and `handler`, which turns a lazily loaded body into an effect/cli
 * handler. The body gets the run context built once from the root command's flags (output
 * mode, the client), with the store-permission choice provided, in a scope that closes (and
 * with it a PostgreSQL pool) when the command ends.
 */

import { STORE_URL_ENV } from "@miro-token/core/internal";
import { Effect, type Stdio } from "effect";
import { Argument, type Command, Flag } from "effect/cli";
import { ENV } from "./Env.ts";
import { root } from "./RootCommand.ts";
import { makeRunContext, type RunContext, runCommandBody } from "./RunContext.ts";

/** `--token-file`, shared by the commands that take one access token. */
export const tokenFileFlag = Flag.String("token-file").pipe(
  Flag.optional,
  Flag.withMetavar("path|-"),
  Flag.withDescription(
    `Read the access token from this file, or from stdin with - (default: $${ENV.accessToken})`,
  ),
);

/** A bare `-` argument: the access token comes from stdin. */
export const stdinArgument = Argument.String("-").pipe(
  Argument.optional,
  Argument.withDescription("A lone - reads the access token from stdin (default: not given)"),
);

/**
 * `--store <path|url>` and `--store-url-file <path>`: the token store, by core's one selection
 * rule (a directory or `file:` URL, or `postgres://…`; `StoreAccess.ts`). Every command that
 * takes a store spreads these, naming what the store is for and what happens without one.
 */
export const storeFlags = (purpose: string, defaultText: string) => ({
  store: Flag.String("store").pipe(
    Flag.optional,
    Flag.withMetavar("path|url"),
    Flag.withDescription(
      `${purpose}: a directory (created 0700 if missing) or file: URL, or postgres://user@host:port/db?sslmode=…&pool_max=…&statement_timeout=… without a password (PGPASSWORD, or --store-url-file) (default: ${defaultText})`,
    ),
  ),
  storeUrlFile: Flag.String("store-url-file").pipe(
    Flag.optional,
    Flag.withMetavar("path"),
    Flag.withDescription(
      "File holding the store URL, which may carry a password (instead of --store) (default: none)",
    ),
  ),
});

/** The store flags of the commands that need a store. */
export const requiredStoreFlags = storeFlags("Token store", `$${STORE_URL_ENV}; one is required`);

/** `--show-token`: also print a new access token. */
export const showTokenFlag = Flag.Boolean("show-token").pipe(
  Flag.withDefault(false),
  Flag.withDescription("Also print the new access token itself (default: false: fingerprint only)"),
);

/** The run context, from the root command's parsed shared flags. */
const context: Effect.Effect<
  RunContext,
  never,
  Stdio.Stdio | Command.CommandContext<"miro-token">
> = Effect.flatMap(root, makeRunContext);

/**
 * A command handler whose body lives in a module loaded (by `import()`) only when the command
 * runs, so `--help` and the other commands start without it.
 */
export const handler =
  <M, I, A, E, R>(
    load: () => Promise<M>,
    body: (module: M) => (ctx: RunContext, input: I) => Effect.Effect<A, E, R>,
  ) =>
  (input: I) =>
    Effect.flatMap(Effect.zip(Effect.promise(load), context), ([module, ctx]) =>
      runCommandBody(ctx, body(module)(ctx, input)),
    );
