/**
 * The client conformance suite: core's `TokenClient`, over one transport adapter, against the
 * real Miro emulator on loopback. It checks Miro's contract end to end (info, revoke v1/v2,
 * refresh, code exchange), the RELIABILITY attempt matrix (target 1: every endpoint x every
 * fault, attempts counted in the emulator's request log and compared with the policy exactly),
 * fail-fast on `Retry-After: 100000` (target 3), deadlines (target 5), hostile responses
 * (target 6), and, on every single call, that a failure is a typed error with no secret on any
 * surface (target 8) and that no secret ever travelled in a URL (target 9).
 *
 * Time: retry waits and attempt timeouts run on Effect's TestClock, driven while the client
 * waits (`client-conformance/Drive.ts`); the two deadline tests run on the real clock instead.
 *
 * Variants: every test that depends on how Miro answers runs once per emulator variant profile
 * (`client-conformance/FreshCase.ts`); the fault matrix runs on the documented one.
 *
 * This file only puts the groups in order; each group lives in `client-conformance/`. Each
 * adapter's test file calls `clientConformance(name, layer)` once.
 */
import { describe, layer } from "@effect/vitest";
import type { HttpTransport } from "@miro-token/core";
import { variantProfiles } from "@miro-token/emulator";
import type { Layer } from "effect";
import { attemptMatrixTests } from "./client-conformance/AttemptMatrixTests.ts";
import { ClientHarness } from "./client-conformance/ClientHarness.ts";
import { deadlineTests } from "./client-conformance/Deadlines.ts";
import { variantCase } from "./client-conformance/FreshCase.ts";
import { grantContract } from "./client-conformance/GrantContract.ts";
import { infoContract, malformedTokenRefused } from "./client-conformance/InfoContract.ts";
import { rateLimitContract, retryAfterFailsFast } from "./client-conformance/RateLimits.ts";
import { revokeContract } from "./client-conformance/RevokeContract.ts";

/**
 * The suite, for one transport.
 *
 * @param name shown in the test names, e.g. `"fetch"`
 * @param transport the adapter's layer
 */
export const clientConformance = (name: string, transport: Layer.Layer<HttpTransport>): void => {
  describe(`${name}: TokenClient against the emulator`, () => {
    layer(ClientHarness.layerWith(transport), { timeout: "60 seconds" })((it) => {
      for (const profile of variantProfiles()) {
        const variant = variantCase(profile);
        infoContract(it, variant);
        revokeContract(it, variant);
        grantContract(it, variant);
        rateLimitContract(it, variant);
      }
      malformedTokenRefused(it);
      retryAfterFailsFast(it);
      deadlineTests(it);
      attemptMatrixTests(it);
    });
  });
};
