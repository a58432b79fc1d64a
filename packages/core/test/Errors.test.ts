// Typed errors: fields every error has, message format, no secret on any surface, and the
// exit-code table covering every tag.
import { describe, expect, it } from "@effect/vitest";
import {
  ClientAuthError,
  EXIT_CODE_BY_TAG,
  ExitCode,
  exitCodeOf,
  InsecureBaseUrlError,
  InvalidGrantError,
  InvalidTokenError,
  isMiroTokenError,
  isRetryable,
  MalformedTokenError,
  type MiroTokenError,
  MissingCredentialsError,
  RateLimitedError,
  ReauthorizeRequiredError,
  RefreshOutcomeUnknownError,
  ResponseDecodeError,
  RevokeEndpointGoneError,
  RevokeRejectedError,
  ServerError,
  StoreError,
  TransportError,
  UnexpectedStatusError,
} from "../src/index.ts";
import { MIRO_TOKEN_ERROR_CLASSES } from "../src/internal.ts";
import { leaks, randomSecret, surfaces } from "./LeakCheck.ts";

const at = { method: "GET", endpoint: "https://api.miro.com/v1/oauth-token", attempts: 2 };

const samples: ReadonlyArray<MiroTokenError> = [
  new InvalidTokenError({ ...at, status: 400, code: "tokenExpired" }),
  new MalformedTokenError({ attempts: 0, subject: "access token", reason: "contains whitespace" }),
  new RevokeRejectedError({ ...at, status: 404, code: "oauthError" }),
  new RevokeEndpointGoneError({ ...at, status: 404 }),
  new InvalidGrantError({ ...at, status: 400, code: "invalidGrant", grant: "refresh_token" }),
  new ClientAuthError({ ...at, status: 401, code: "oauthError" }),
  new RateLimitedError({ ...at, status: 429, retryAfter: 100_000_000, limit: 100, remaining: 0 }),
  new ServerError({ ...at, status: 503 }),
  new UnexpectedStatusError({ ...at, status: 403 }),
  new ResponseDecodeError({ ...at, status: 200, reason: "not JSON" }),
  new RefreshOutcomeUnknownError({ ...at, grant: "refresh_token", ambiguousFailure: "HTTP 502" }),
  new ReauthorizeRequiredError({ id: "user-1", reason: "InvalidGrantError (invalidGrant)" }),
  new MissingCredentialsError({ attempts: 0, operation: "refresh" }),
  new InsecureBaseUrlError({ attempts: 0, kind: "insecure-http", reason: "must use https" }),
  new StoreError({ attempts: 0, operation: "get", reason: "EACCES" }),
  new TransportError({
    kind: "Network",
    method: "GET",
    endpoint: at.endpoint,
    reason: "ECONNRESET",
  }),
];

describe("errors", () => {
  it("has one sample per class", () => {
    expect(new Set(samples.map((e) => e._tag)).size).toBe(MIRO_TOKEN_ERROR_CLASSES.length);
  });

  it.each(samples.map((e) => [e._tag, e] as const))(
    "%s has retryable, attempts, _tag and a Tag: message",
    (tag, e) => {
      expect(e._tag).toBe(e.constructor.name);
      expect(typeof e.retryable).toBe("boolean");
      expect(isRetryable(e)).toBe(e.retryable);
      expect(Number.isInteger(e.attempts)).toBe(true);
      expect(e.message.startsWith(`${tag}: `)).toBe(true);
      expect(e).toBeInstanceOf(Error);
      expect(isMiroTokenError(e)).toBe(true);
      expect(JSON.parse(JSON.stringify(e))).toMatchObject({ _tag: tag, retryable: e.retryable });
    },
  );

  it("names method and endpoint in messages of request errors", () => {
    expect(samples[0]?.message).toBe(
      "InvalidTokenError: the access token is invalid, expired or revoked (HTTP 400, code tokenExpired) (GET https://api.miro.com/v1/oauth-token)",
    );
  });

  it("marks transient failures retryable", () => {
    const retryable = samples.filter((e) => e.retryable).map((e) => e._tag);
    expect(retryable.sort()).toEqual(["RateLimitedError", "ServerError", "TransportError"]);
    const aborted = new TransportError({
      kind: "Aborted",
      method: "GET",
      endpoint: "x",
      reason: "interrupted",
    });
    expect(aborted.retryable).toBe(false);
    expect(aborted.attempts).toBe(1);
  });

  it("tells to configure client credentials when v1 revoke is gone", () => {
    expect(samples[3]?.message).toContain("configure client credentials");
  });

  it("isMiroTokenError rejects other values", () => {
    expect(isMiroTokenError(new Error("x"))).toBe(false);
    expect(isMiroTokenError({ _tag: "ServerError" })).toBe(false);
  });
});

describe("exit codes", () => {
  it("cover every tag", () => {
    expect(Object.keys(EXIT_CODE_BY_TAG).sort()).toEqual(
      MIRO_TOKEN_ERROR_CLASSES.map((c) => c.name).sort(),
    );
  });

  it("map each category", () => {
    const byTag = Object.fromEntries(samples.map((e) => [e._tag, exitCodeOf(e)]));
    expect(byTag).toEqual({
      InvalidTokenError: 3,
      MalformedTokenError: 2,
      RevokeRejectedError: 4,
      RevokeEndpointGoneError: 4,
      InvalidGrantError: 4,
      ClientAuthError: 4,
      RateLimitedError: 5,
      ServerError: 5,
      UnexpectedStatusError: 1,
      ResponseDecodeError: 1,
      RefreshOutcomeUnknownError: 4,
      ReauthorizeRequiredError: 4,
      MissingCredentialsError: 2,
      InsecureBaseUrlError: 2,
      StoreError: 1,
      TransportError: 5,
    });
    const transport = (kind: "Aborted" | "BodyTooLarge") =>
      exitCodeOf(new TransportError({ kind, method: "GET", endpoint: "x", reason: "r" }));
    expect(transport("Aborted")).toBe(ExitCode.Interrupted);
    expect(transport("BodyTooLarge")).toBe(ExitCode.Unexpected);
  });
});

describe("no secret on any error surface", () => {
  it("holds for every class built from request data around a canary", () => {
    const secret = randomSecret();
    for (const e of samples) expect(leaks(surfaces(e), [secret])).toEqual([]);
  });
});
