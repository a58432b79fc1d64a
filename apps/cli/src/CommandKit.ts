/**
 * What the command files share: the flags several commands take (`--token-file`, `-`,
 * `--store`, `--show-token`) and `handler`, which turns a lazily loaded body into an effect/cli
 * handler. The body gets the run context built once from the root command's flags (output
 * mode, the client), with the store-permission choice provided.
 */
import { Effect, type Stdio } from "effect";
import { Argument, type Command, Flag } from "effect/cli";
import { ENV } from "./Env.ts";
import { root } from "./RootCommand.ts";
import { makeRunContext, type RunContext } from "./RunContext.ts";
import { InsecureStorePermissions } from "./StoreAccess.ts";

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

/** `--store <path>`: a token store directory. */
export const storeFlag = Flag.String("store").pipe(
  Flag.withMetavar("path"),
  Flag.withDescription(
    "Token store directory, created with mode 0700 if missing (default: none, required)",
  ),
);

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
      Effect.provideService(
        body(module)(ctx, input),
        InsecureStorePermissions,
        ctx.global.insecureStorePermissions,
      ),
    );
