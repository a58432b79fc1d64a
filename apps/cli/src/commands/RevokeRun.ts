/**
 * `miro-token revoke`: revokes the token (and with it its refresh token) — through
 * `/v2/oauth/revoke` when client credentials are configured. Without them only with
 * `--allow-v1-revoke`: the deprecated v1 in its documented form, the token in the URL query,
 * with a warning on stderr saying so (without the flag: a usage error asking for credentials).
 * `--verify` asks token info afterwards: the token must now be invalid,
 * otherwise `RevokeNotEffectiveError` (exit 4).
 */
import { fingerprint, type MiroTokenError, type RevokeResult, TokenClient } from "@miro-token/core";
import { Effect, type Redacted } from "effect";
import { makeClientLayer } from "../ClientLayer.ts";
import { RevokeNotEffectiveError } from "../Failure.ts";
import { type OutputMode, printJson, printLines, style, table, warn } from "../Output.ts";
import type { RunContext } from "../RunContext.ts";
import { resolveTokenArguments } from "../TokenInput.ts";
import type { RevokeInput } from "./RevokeCommand.ts";

/** The warning shown when revoking through v1 (`--allow-v1-revoke`, no client credentials). */
export const V1_DEPRECATION_WARNING =
  "no client credentials: --allow-v1-revoke uses the deprecated POST /v1/oauth/revoke, which takes the token in the URL query (proxies and server logs may keep it); set MIRO_CLIENT_ID and MIRO_CLIENT_SECRET (or --client-secret-file) to use /v2/oauth/revoke";

/** The result of `revoke`. */
export interface RevokeReport {
  readonly fingerprint: string;
  readonly result: RevokeResult;
  /** `true` when `--verify` confirmed the token is dead; `undefined` without `--verify`. */
  readonly verified: boolean | undefined;
}

/**
 * Whether token info now rejects the token (`InvalidTokenError`: revoked, expired or unknown);
 * any other failure (Miro unreachable, rate limited) is the caller's.
 */
export const isDead = (token: Redacted.Redacted<string>) =>
  TokenClient.info(token).pipe(
    Effect.as(false),
    Effect.catchTag("InvalidTokenError", () => Effect.succeed(true)),
  );

/** Revoke the token, then (with `verify`) prove it is dead. */
export const revokeToken = (
  token: Redacted.Redacted<string>,
  options: {
    readonly verify: boolean;
    readonly hasCredentials: boolean;
    readonly allowV1: boolean;
  },
): Effect.Effect<RevokeReport, MiroTokenError | RevokeNotEffectiveError, TokenClient> =>
  Effect.gen(function* () {
    const print = yield* fingerprint(token);
    if (!options.hasCredentials && options.allowV1) yield* warn(V1_DEPRECATION_WARNING);
    const result = yield* TokenClient.revoke(token);
    if (!options.verify) return { fingerprint: print, result, verified: undefined };
    if (!(yield* isDead(token))) return yield* new RevokeNotEffectiveError({ fingerprint: print });
    return { fingerprint: print, result, verified: true };
  });

/** The `--json` document of a successful `revoke`. */
export const revokeDocument = (report: RevokeReport) => ({
  ok: true as const,
  command: "revoke" as const,
  token: { fingerprint: report.fingerprint },
  revoked: true as const,
  endpoint: report.result.endpoint,
  deprecated: report.result.deprecated,
  alreadyRevoked: report.result.alreadyRevoked,
  verified: report.verified ?? null,
});

/** Human lines of a successful `revoke`. */
export const revokeLines = (mode: OutputMode, report: RevokeReport): ReadonlyArray<string> =>
  table(mode, [
    ["token", `${report.fingerprint} (fingerprint)`],
    ["state", style.yellow(mode, report.result.alreadyRevoked ? "already revoked" : "revoked")],
    ["endpoint", `${report.result.endpoint}${report.result.deprecated ? " (deprecated)" : ""}`],
    [
      "verified",
      report.verified === undefined
        ? "not checked (use --verify)"
        : style.green(mode, "token info now says invalid"),
    ],
  ]);

/** The command: settings, then the token, then Miro; prints the report. */
export const runRevoke = (ctx: RunContext, input: RevokeInput) =>
  Effect.gen(function* () {
    // v1 puts the token in a URL: only this command, and only on its own flag, builds a client
    // that may use it; every other run shares the root flags' client.
    const { layer, settings } = input.allowV1Revoke
      ? yield* makeClientLayer(ctx.global, ctx.mode, {}, { allowV1Revoke: true })
      : yield* ctx.client.connect;
    const token = yield* resolveTokenArguments(input);
    const report = yield* revokeToken(token, {
      verify: input.verify,
      hasCredentials: settings.clientId !== undefined && settings.hasClientSecret,
      allowV1: input.allowV1Revoke,
    }).pipe(Effect.provide(layer));
    yield* ctx.mode.json
      ? printJson(revokeDocument(report))
      : printLines(revokeLines(ctx.mode, report));
  });
