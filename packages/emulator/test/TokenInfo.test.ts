/**
 * GET /v1/oauth-token over real HTTP: both ways of passing the token, the TokenInformation shape,
 * and the error bodies for missing, unknown, expired and revoked tokens.
 */
import { describe, expect, it } from "vitest";
import type { TokenInformation } from "../src/index.ts";
import {
  bearer,
  call,
  expectMiroError,
  INVENTED_VARIANTS,
  seedOf,
  tokenInformationProblems,
  useEmulator,
} from "./support.ts";

describe("GET /v1/oauth-token", () => {
  const emulator = useEmulator({ variants: INVENTED_VARIANTS });

  it("answers TokenInformation for a Bearer token, matching the spec's required fields", async () => {
    const { tokens } = seedOf(emulator());
    const response = await call(emulator(), "/v1/oauth-token", {
      headers: bearer(tokens.accessToken),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(tokenInformationProblems(response.json)).toEqual([]);
    const info = response.json as TokenInformation;
    expect(info.type).toBe("oAuthToken");
    expect(info.team.id).toBe(tokens.teamId);
    expect(info.user.id).toBe(tokens.userId);
    expect(info.createdBy.id).toBe(tokens.userId);
    expect(info.organization.type).toBe("organization");
    expect(info.scopes).toEqual(["boards:read", "boards:write"]);
  });

  it("accepts the token as the access_token query parameter", async () => {
    const tokens = emulator().issueTokens({
      scopes: ["identity:read"],
      teamId: "3074457999999999999",
    });
    const response = await call(emulator(), `/v1/oauth-token?access_token=${tokens.accessToken}`);
    expect(response.status).toBe(200);
    expect((response.json as TokenInformation).scopes).toEqual(["identity:read"]);
    expect((response.json as TokenInformation).team.id).toBe("3074457999999999999");
  });

  it("answers 401 tokenNotProvided without a token", async () => {
    expectMiroError(await call(emulator(), "/v1/oauth-token"), 401, "tokenNotProvided");
    const emptyBearer = await call(emulator(), "/v1/oauth-token", {
      headers: { authorization: "Bearer " },
    });
    expectMiroError(emptyBearer, 401, "tokenNotProvided");
  });

  it("answers 400 tokenInvalid for an unknown token", async () => {
    const response = await call(emulator(), "/v1/oauth-token", {
      headers: bearer("eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_unknownunknownunknownunknow"),
    });
    expectMiroError(response, 400, "tokenInvalid");
  });

  it("answers 400 tokenExpired once the emulator clock passes the access token's lifetime", async () => {
    const tokens = emulator().issueTokens({ accessTokenTtlSeconds: 60 });
    expect(tokens.expiresIn).toBe(59);
    emulator().clock.advance(59_999);
    expect(
      (await call(emulator(), "/v1/oauth-token", { headers: bearer(tokens.accessToken) })).status,
    ).toBe(200);
    emulator().clock.advance(1);
    expect(emulator().accessTokenState(tokens.accessToken)).toBe("expired");
    const response = await call(emulator(), "/v1/oauth-token", {
      headers: bearer(tokens.accessToken),
    });
    expectMiroError(response, 400, "tokenExpired");
  });

  it("keeps non-expiring tokens valid however far the clock moves", async () => {
    const tokens = emulator().issueTokens({ expiring: false });
    expect(tokens.refreshToken).toBeUndefined();
    expect(tokens.expiresIn).toBeUndefined();
    emulator().clock.advance(400 * 24 * 3600 * 1000);
    expect(
      (await call(emulator(), "/v1/oauth-token", { headers: bearer(tokens.accessToken) })).status,
    ).toBe(200);
  });

  it("answers 400 tokenInvalid after revokeAccess behind the client's back", async () => {
    const { tokens } = seedOf(emulator());
    emulator().revokeAccess(tokens.accessToken);
    expect(emulator().accessTokenState(tokens.accessToken)).toBe("revoked");
    expect(emulator().refreshTokenState(tokens.refreshToken ?? "")).toBe("revoked");
    const response = await call(emulator(), "/v1/oauth-token", {
      headers: bearer(tokens.accessToken),
    });
    expectMiroError(response, 400, "tokenInvalid");
  });

  it("answers 405 with an Allow header to other methods", async () => {
    const response = await call(emulator(), "/v1/oauth-token", { method: "POST" });
    expectMiroError(response, 405, "methodNotAllowed");
    expect(response.headers.get("allow")).toBe("GET");
  });
});
