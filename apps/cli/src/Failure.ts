/**
 * What can go wrong in a `miro-token` run, how each failure maps to an exit code, and how it is
 * shown. Core's typed errors keep core's table (`exitCodeOf`, one place for every Miro error);
 * the few failures only the CLI knows (bad usage, a revoke that did not kill the token, a watch
 * condition) carry one of core's {@link ExitCode} constants themselves.
 *
 * Every message here is free of secrets by construction: core's errors never hold a token, and
 * the CLI's own errors are built from fixed phrases and option names, never from user values.
 */
import { ExitCode, exitCodeOf, isMiroTokenError, type MiroTokenError } from "@miro-token/core";
import { Schema } from "effect";

/**
 * Bad usage: an unknown flag, a missing token, a token on argv, an unreadable token file.
 * Exit code 2.
 */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  /** What is wrong, as a fixed phrase (never a user-supplied value). */
  reason: Schema.String,
  /** What to do instead. */
  hint: Schema.optionalKey(Schema.String),
}) {
  readonly exitCode = ExitCode.Usage;
  override get message(): string {
    return `UsageError: ${this.reason}`;
  }
}

/**
 * `revoke --verify`: Miro accepted the revoke but the token still answers token info.
 * Exit code 4 (Miro did not do what it said).
 */
export class RevokeNotEffectiveError extends Schema.TaggedError<RevokeNotEffectiveError>()(
  "RevokeNotEffectiveError",
  { fingerprint: Schema.String },
) {
  readonly exitCode = ExitCode.Rejected;
  override get message(): string {
    return `RevokeNotEffectiveError: Miro accepted the revoke, but token ${this.fingerprint} is still active`;
  }
}

/**
 * A `watch` ended in a state that is not success: the time to expiry dropped below
 * `--fail-if-ttl-below` or the token expired (exit 3), it became invalid or was revoked
 * (exit 3), its grant died (exit 4), or with `--once` Miro could not be reached (exit 5).
 */
export class WatchConditionError extends Schema.TaggedError<WatchConditionError>()(
  "WatchConditionError",
  { reason: Schema.String, state: Schema.String },
) {
  get exitCode(): ExitCode {
    switch (this.state) {
      case "ReauthorizeRequired":
        return ExitCode.Rejected;
      case "Unreachable":
      case "RateLimited":
        return ExitCode.Unavailable;
      default:
        return ExitCode.TokenInvalid;
    }
  }
  override get message(): string {
    return `WatchConditionError: ${this.reason} (state ${this.state})`;
  }
}

/**
 * A token store entry that does not exist (`store remove`, `refresh --id`). Exit code 2.
 */
export class StoreEntryNotFoundError extends Schema.TaggedError<StoreEntryNotFoundError>()(
  "StoreEntryNotFoundError",
  { id: Schema.String },
) {
  readonly exitCode = ExitCode.Usage;
  override get message(): string {
    return `StoreEntryNotFoundError: no token with id ${JSON.stringify(this.id)} in the store`;
  }
}

/**
 * `login` did not produce an authorization code: the user denied access, the redirect carried
 * a wrong `state` (a forged or stale callback), or nobody came back in time. Exit code 4.
 */
export class LoginError extends Schema.TaggedError<LoginError>()("LoginError", {
  reason: Schema.String,
}) {
  readonly exitCode = ExitCode.Rejected;
  override get message(): string {
    return `LoginError: ${this.reason}`;
  }
}

/** `demo`: a step of the story did not go as told (a bug somewhere). Exit code 1. */
export class DemoError extends Schema.TaggedError<DemoError>()("DemoError", {
  reason: Schema.String,
}) {
  readonly exitCode = ExitCode.Unexpected;
  override get message(): string {
    return `DemoError: ${this.reason}`;
  }
}

/** The failures only the CLI produces. */
export type CliOnlyError =
  | UsageError
  | LoginError
  | DemoError
  | RevokeNotEffectiveError
  | WatchConditionError
  | StoreEntryNotFoundError;

/** Every typed failure a command can end with. */
export type CliFailure = MiroTokenError | CliOnlyError;

const CLI_ONLY_TAGS: ReadonlySet<string> = new Set<CliOnlyError["_tag"]>([
  "UsageError",
  "LoginError",
  "DemoError",
  "RevokeNotEffectiveError",
  "WatchConditionError",
  "StoreEntryNotFoundError",
]);

/** Whether a value is one of the CLI's own failures. */
export const isCliOnlyError = (u: unknown): u is CliOnlyError =>
  typeof u === "object" &&
  u !== null &&
  "_tag" in u &&
  CLI_ONLY_TAGS.has(String((u as { _tag: unknown })._tag)) &&
  "exitCode" in u;

/** Whether a value is a typed failure (core's or the CLI's). */
export const isCliFailure = (u: unknown): u is CliFailure =>
  isMiroTokenError(u) || isCliOnlyError(u);

/**
 * The exit code of a typed failure: core's table for core's errors (`ReauthorizeRequiredError`
 * exits 4 there, like the `InvalidGrantError` it usually stands for), the error's own otherwise.
 */
export const exitCodeOfFailure = (failure: CliFailure): ExitCode =>
  isCliOnlyError(failure) ? failure.exitCode : exitCodeOf(failure);

/** The `error` member of a `--json` failure document. */
export interface ErrorSummary {
  readonly tag: string;
  readonly message: string;
  readonly status?: number;
  readonly hint?: string;
}

/** The secret-free summary of a typed failure, for the `--json` document. */
export const summarize = (failure: CliFailure): ErrorSummary => {
  const status = (failure as { readonly status?: unknown }).status;
  const hint = failure._tag === "UsageError" ? failure.hint : undefined;
  return {
    tag: failure._tag,
    message: failure.message,
    ...(typeof status === "number" ? { status } : {}),
    ...(hint === undefined ? {} : { hint }),
  };
};

/** The one document `--json` prints when a command fails. */
export const failureDocument = (summary: ErrorSummary, exitCode: number) => ({
  ok: false as const,
  error: summary,
  exitCode,
});
