/**
 * `miro-token watch`: the flags, help and examples of the command that follows a token (or a
 * store) through its life; the body (`WatchRun.ts`) is loaded when the command runs.
 */
import { TOKEN_STATUS_TAGS } from "@miro-token/core";
import { Command, Flag } from "effect/cli";
import { handler, stdinArgument, storeFlags, tokenFileFlag } from "../CommandKit.ts";

const flags = {
  tokenFile: tokenFileFlag,
  stdin: stdinArgument,
  ...storeFlags("Watch (and refresh ahead of expiry) every token of this store", "one token"),
  once: Flag.Boolean("once").pipe(
    Flag.withDefault(false),
    Flag.withDescription(
      "Stop after the first status of every token; exit by that state (default: false)",
    ),
  ),
  until: Flag.String("until").pipe(
    Flag.optional,
    Flag.withMetavar("state"),
    Flag.withDescription(
      `Stop with exit 0 when a token reaches this state: ${TOKEN_STATUS_TAGS.join(", ")} (default: none)`,
    ),
  ),
  failIfTtlBelow: Flag.String("fail-if-ttl-below").pipe(
    Flag.optional,
    Flag.withMetavar("duration"),
    Flag.withDescription(
      "Fail (exit 3) as soon as a token's time to expiry (or a stored token's refresh token's) is below this (default: none)",
    ),
  ),
  interval: Flag.String("interval").pipe(
    Flag.withDefault("60s"),
    Flag.withMetavar("duration"),
    Flag.withDescription(
      "Probe cadence (jittered; slower when the rate limit runs low) (default: 60s)",
    ),
  ),
  refreshWindow: Flag.String("refresh-window").pipe(
    Flag.withDefault("5m"),
    Flag.withMetavar("duration"),
    Flag.withDescription("With --store: refresh this long before expiry (default: 5m)"),
  ),
};

/** The parsed flags of `watch`, inferred from their declarations. */
export type WatchInput = Command.Command.Config.Infer<typeof flags>;

/** `miro-token watch`. */
export const watchCommand = Command.make(
  "watch",
  flags,
  handler(
    () => import("./WatchRun.ts"),
    (module) => module.runWatchCommand,
  ),
).pipe(
  Command.withShortDescription("Follow a token (or a whole store) through its life"),
  Command.withDescription(
    "Probe one token, or watch every token of a store and refresh each ahead of expiry. On a terminal: a live status line (state, time to expiry, next probe, a spinner while a request is in flight). Otherwise, or with --json: one NDJSON event per status change. Ends when a token becomes Invalid, Revoked or ReauthorizeRequired (exit 3, 3, 4), or as --once/--until say.",
  ),
  Command.withExamples([
    { command: "miro-token watch --token-file token.txt", description: "Live status of one token" },
    {
      command: "miro-token watch --store ~/.miro-token --json",
      description: "Keep a store's tokens fresh; NDJSON events",
    },
    {
      command: "miro-token watch --once --fail-if-ttl-below 10m",
      description: "A health check: exit 3 if the token dies within 10 minutes",
    },
  ]),
);
