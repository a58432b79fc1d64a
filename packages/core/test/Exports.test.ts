// A smoke test of the public surface: the names the README documents are exported, and the
// internal pieces (shared by core's modules, sibling packages and tests) are not.
import { describe, expect, it } from "@effect/vitest";
import * as Core from "../src/index.ts";
import * as Internal from "../src/internal.ts";
import { MIRO_TOKEN_ERROR_CLASSES } from "../src/internal.ts";

describe("public exports", () => {
  it("include the documented API", () => {
    const names = [
      "TokenClient",
      "MiroConfig",
      "makeMiroConfig",
      "miroConfigDefaults",
      "createTokenClient",
      "defaultTransport",
      "fromEnv",
      "reveal",
      "miroEnvConfig",
      "HttpClientTransport",
      "HttpTransport",
      "TransportError",
      "endpointOf",
      "DEFAULT_MAX_BODY_BYTES",
      "TokenInfo",
      "TokenSet",
      "TokenResponse",
      "MiroErrorBody",
      "tokenSetFromResponse",
      "parseJson",
      "parseRateLimit",
      "RetryPolicy",
      "fingerprint",
      "checkToken",
      "tokenProblem",
      "isMiroTokenError",
      "isRetryable",
      "EXIT_CODE_BY_TAG",
      "exitCodeOf",
      "ExitCode",
      "TOKEN_INFO_MAX_ATTEMPTS",
      "REVOKE_MAX_ATTEMPTS",
      "TOKEN_ENDPOINT_MAX_ATTEMPTS",
      ...MIRO_TOKEN_ERROR_CLASSES.map((cls) => cls.name),
    ];
    for (const name of names) expect(Core, name).toHaveProperty(name);
    expect(Object.keys(Core.RetryPolicy).sort()).toEqual(
      [
        "MIN_ATTEMPT_MILLIS",
        "attemptBudget",
        "backoffCeiling",
        "decide",
        "delayFor",
        "limitsFor",
        "parseRateLimitReset",
        "parseRetryAfter",
        "schedule",
        "serverWait",
      ].sort(),
    );
  });

  it("keeps internal pieces out of the public surface", () => {
    const internal = Object.keys(Internal);
    expect(internal).toContain("makeRefresher");
    for (const name of internal) expect(Core, name).not.toHaveProperty(name);
    // 95 + the base URL rule (checkBaseUrl, isLoopbackHost, INSECURE_HTTP_WARNING,
    // InsecureBaseUrlError) and the retry quota (RetryQuota, makeRetryQuota,
    // unlimitedRetryQuota, RETRY_QUOTA_DEFAULTS), issue 10; the refresh token age checks
    // (refreshTokenExpiresAt, isRefreshTokenExpiring), issue 15.
    expect(Object.keys(Core).length).toBeLessThanOrEqual(105);
  });

  it("keeps the attempt caps of RELIABILITY target 1", () => {
    expect([
      Core.TOKEN_INFO_MAX_ATTEMPTS,
      Core.REVOKE_MAX_ATTEMPTS,
      Core.TOKEN_ENDPOINT_MAX_ATTEMPTS,
    ]).toEqual([3, 3, 2]);
  });
});
