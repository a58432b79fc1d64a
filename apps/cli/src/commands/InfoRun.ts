/**
 * `miro-token info`: what Miro says about the token (type, user, team, organization, scopes,
 * creator) and the rate-limit headroom it reported. Exit 0 when active; an invalid, expired or
 * revoked token fails with core's `InvalidTokenError` (exit 3).
 */
import {
  fingerprint,
  type MiroEntity,
  type MiroTokenError,
  type RateLimit,
  TokenClient,
  type TokenInfo,
} from "@miro-token/core";
import { Effect, type Redacted } from "effect";
import { isoTime, type OutputMode, printJson, printLines, style, table } from "../Output.ts";
import type { RunContext } from "../RunContext.ts";
import { resolveTokenArguments } from "../TokenInput.ts";
import type { InfoInput } from "./InfoCommand.ts";

/** The result of `info`. */
export interface InfoReport {
  readonly fingerprint: string;
  readonly info: TokenInfo;
  readonly rateLimit: RateLimit | undefined;
}

/** Look the token up. */
export const tokenInfo = (
  token: Redacted.Redacted<string>,
): Effect.Effect<InfoReport, MiroTokenError, TokenClient> =>
  Effect.gen(function* () {
    const print = yield* fingerprint(token);
    const { info, rateLimit } = yield* TokenClient.info(token);
    return { fingerprint: print, info, rateLimit };
  });

/** The `--json` document of a successful `info`. */
export const infoDocument = (report: InfoReport) => ({
  ok: true as const,
  command: "info" as const,
  state: "active" as const,
  token: { fingerprint: report.fingerprint },
  info: report.info,
  rateLimit: report.rateLimit ?? null,
});

const entity = (value: MiroEntity | undefined): string =>
  value === undefined ? "-" : `${value.name} (${value.id})`;

/** The rate-limit headroom as one phrase. */
export const headroom = (rateLimit: RateLimit | undefined): string => {
  if (rateLimit === undefined) return "not reported";
  const parts: Array<string> = [];
  if (rateLimit.remaining !== undefined && rateLimit.limit !== undefined) {
    parts.push(`${rateLimit.remaining} of ${rateLimit.limit} credits left`);
  } else if (rateLimit.remaining !== undefined) {
    parts.push(`${rateLimit.remaining} credits left`);
  }
  if (rateLimit.resetAt !== undefined) parts.push(`resets ${isoTime(rateLimit.resetAt)}`);
  return parts.length === 0 ? "not reported" : parts.join(", ");
};

/** Human lines of a successful `info`. */
export const infoLines = (mode: OutputMode, report: InfoReport): ReadonlyArray<string> =>
  table(mode, [
    ["token", `${report.fingerprint} (fingerprint)`],
    ["state", style.green(mode, "active")],
    ["type", report.info.type],
    ["user", entity(report.info.user)],
    ["team", entity(report.info.team)],
    ["organization", entity(report.info.organization)],
    ["scopes", (report.info.scopes ?? []).join(" ") || "-"],
    ["created by", entity(report.info.createdBy)],
    ["rate limit", headroom(report.rateLimit)],
  ]);

/** The command: settings, then the token, then Miro; prints the report. */
export const runInfo = (ctx: RunContext, input: InfoInput) =>
  Effect.gen(function* () {
    const { layer } = yield* ctx.client.connect;
    const token = yield* resolveTokenArguments(input);
    const report = yield* tokenInfo(token).pipe(Effect.provide(layer));
    yield* ctx.mode.json
      ? printJson(infoDocument(report))
      : printLines(infoLines(ctx.mode, report));
  });
