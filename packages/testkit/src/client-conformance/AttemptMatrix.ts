/**
 * The RELIABILITY attempt matrix (target 1) as data: for every fault the emulator can inject,
 * what each endpoint (token info, revoke v2, refresh) must make of it when the fault persists —
 * which typed error, after exactly how many attempts. `AttemptMatrixTests.ts` runs each cell
 * and counts the attempts in the emulator's request log.
 */
import {
  type MiroTokenError,
  REVOKE_MAX_ATTEMPTS,
  TOKEN_ENDPOINT_MAX_ATTEMPTS,
  TOKEN_INFO_MAX_ATTEMPTS,
} from "@miro-token/core";
import type { EmulatorRoute, Fault } from "@miro-token/emulator";

/** The endpoints the matrix covers. */
export type Endpoint = "info" | "revoke" | "refresh";

/** What one endpoint must end with under one persisting fault. */
export interface Expected {
  /** Requests sent, and the error's `attempts`. */
  readonly attempts: number;
  /** The error's tag. */
  readonly tag: MiroTokenError["_tag"];
  /** For a `TransportError`, its kind. */
  readonly kind?: string;
}

/** One row of the matrix: a fault, and what each endpoint must make of it. */
export interface MatrixRow {
  /** Shown in the test name. */
  readonly name: string;
  /** Queued on the endpoint's route for every attempt. */
  readonly fault: Fault;
  /** The outcome per endpoint. */
  readonly expect: Readonly<Record<Endpoint, Expected>>;
}

const OVERSIZED_BYTES = 2 * 1024 * 1024;

/** Each fault, and what each endpoint must make of it when it persists. */
export const MATRIX: ReadonlyArray<MatrixRow> = (() => {
  const I = TOKEN_INFO_MAX_ATTEMPTS;
  const R = REVOKE_MAX_ATTEMPTS;
  const T = TOKEN_ENDPOINT_MAX_ATTEMPTS;
  const status = (code: number, headers?: Record<string, string>): Fault =>
    headers === undefined
      ? { kind: "status", status: code }
      : { kind: "status", status: code, headers };
  const same = (
    attempts: Record<Endpoint, number>,
    tag: MiroTokenError["_tag"],
    kind?: string,
  ) => ({
    info: { attempts: attempts.info, tag, ...(kind === undefined ? {} : { kind }) },
    revoke: { attempts: attempts.revoke, tag, ...(kind === undefined ? {} : { kind }) },
    refresh: { attempts: attempts.refresh, tag, ...(kind === undefined ? {} : { kind }) },
  });
  const retried = { info: I, revoke: R, refresh: T };
  const notForRevoke = { info: I, revoke: 1, refresh: T };
  const once = { info: 1, revoke: 1, refresh: 1 };
  return [
    { name: "reset", fault: { kind: "reset" }, expect: same(retried, "TransportError", "Network") },
    { name: "hang", fault: { kind: "hang" }, expect: same(retried, "TransportError", "Timeout") },
    {
      name: "truncated body",
      fault: { kind: "truncated" },
      expect: same(retried, "TransportError", "Network"),
    },
    { name: "408", fault: status(408), expect: same(notForRevoke, "ServerError") },
    {
      name: "429 without Retry-After",
      fault: status(429),
      expect: same(retried, "RateLimitedError"),
    },
    {
      name: "429 with Retry-After",
      fault: status(429, { "retry-after": "2" }),
      expect: same(retried, "RateLimitedError"),
    },
    { name: "500", fault: status(500), expect: same(notForRevoke, "ServerError") },
    { name: "502", fault: status(502), expect: same(retried, "ServerError") },
    { name: "503 without Retry-After", fault: status(503), expect: same(retried, "ServerError") },
    {
      name: "503 with Retry-After",
      fault: status(503, { "retry-after": "3" }),
      expect: same(retried, "ServerError"),
    },
    { name: "504", fault: status(504), expect: same(retried, "ServerError") },
    {
      name: "400",
      fault: status(400),
      expect: {
        info: { attempts: 1, tag: "InvalidTokenError" },
        revoke: { attempts: 1, tag: "UnexpectedStatusError" },
        refresh: { attempts: 1, tag: "InvalidGrantError" },
      },
    },
    {
      name: "401",
      fault: status(401),
      expect: {
        info: { attempts: 1, tag: "InvalidTokenError" },
        revoke: { attempts: 1, tag: "ClientAuthError" },
        refresh: { attempts: 1, tag: "ClientAuthError" },
      },
    },
    { name: "403", fault: status(403), expect: same(once, "UnexpectedStatusError") },
    {
      name: "404",
      fault: status(404),
      expect: {
        info: { attempts: 1, tag: "UnexpectedStatusError" },
        revoke: { attempts: 1, tag: "RevokeRejectedError" },
        refresh: { attempts: 1, tag: "UnexpectedStatusError" },
      },
    },
    ...(["malformed", "html", "empty"] as const).map((kind) => ({
      name: `${kind} body on 200`,
      fault: { kind } as Fault,
      expect: {
        info: { attempts: 1, tag: "ResponseDecodeError" as const },
        // Only 204 means revoked; a 200 with a page is not a revoke.
        revoke: { attempts: 1, tag: "UnexpectedStatusError" as const },
        refresh: { attempts: 1, tag: "ResponseDecodeError" as const },
      },
    })),
    {
      name: "oversized body (2 MiB)",
      fault: { kind: "oversized", bytes: OVERSIZED_BYTES },
      expect: same(once, "TransportError", "BodyTooLarge"),
    },
  ];
})();

/** The emulator route each endpoint calls (revoke: v2, with credentials). */
export const ROUTE_OF: Readonly<Record<Endpoint, EmulatorRoute>> = {
  info: "token-info",
  revoke: "revoke-v2",
  refresh: "token",
};
