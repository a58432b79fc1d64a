/**
 * POST /v1/oauth/token, refresh grant: parameter placement, rotation, reuse, client checks, the
 * bare big-number team_id, and custom lifetimes.
 */
import { describe, expect, it } from "vitest";
import {
  bearer,
  call,
  expectMiroError,
  formPost,
  INVENTED_VARIANTS,
  refreshGrant,
  seedOf,
  useEmulator,
} from "./support.ts";

const TEAM_ID_PATTERN = /"team_id":(\d{17,})[,}]/;

describe("POST /v1/oauth/token, refresh_token grant", () => {
  const emulator = useEmulator({ variants: INVENTED_VARIANTS });
  const refreshParams = () => {
    const { client, tokens } = seedOf(emulator());
    return refreshGrant(client, tokens.refreshToken);
  };

  it("rotates from a form body: new tokens work, old access and refresh tokens are dead", async () => {
    const old = seedOf(emulator()).tokens;
    const response = await call(emulator(), "/v1/oauth/token", formPost(refreshParams()));
    expect(response.status).toBe(200);
    const body = response.json as Record<string, unknown>;
    expect(body).toMatchObject({
      token_type: "bearer",
      expires_in: 3599,
      scope: "boards:read boards:write",
      user_id: old.userId,
    });
    expect(Object.keys(body)).toEqual([
      "user_id",
      "team_id",
      "access_token",
      "refresh_token",
      "scope",
      "expires_in",
      "token_type",
    ]);
    expect(body.access_token).toMatch(/^eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_[A-Za-z0-9_-]{27}$/);
    expect(body.refresh_token).toMatch(/^eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_[A-Za-z0-9_-]{27}$/);
    expect(body.access_token).not.toBe(old.accessToken);
    expect(emulator().accessTokenState(old.accessToken)).toBe("rotated");
    expect(emulator().refreshTokenState(old.refreshToken ?? "")).toBe("rotated");
    expectMiroError(
      await call(emulator(), "/v1/oauth-token", { headers: bearer(old.accessToken) }),
      400,
      "tokenInvalid",
    );
    const fresh = await call(emulator(), "/v1/oauth-token", {
      headers: bearer(String(body.access_token)),
    });
    expect(fresh.status).toBe(200);
    const next = await call(
      emulator(),
      "/v1/oauth/token",
      formPost({ ...refreshParams(), refresh_token: String(body.refresh_token) }),
    );
    expect(next.status).toBe(200);
  });

  it("takes parameters from the query string, and the body wins over the query", async () => {
    const params = refreshParams();
    const query = new URLSearchParams(params).toString();
    const fromQuery = await call(emulator(), `/v1/oauth/token?${query}`, { method: "POST" });
    expect(fromQuery.status).toBe(200);
    // The seed refresh token is now rotated: with the body's (right) secret winning over the
    // query's wrong one the client authenticates and the grant fails (400, not 401).
    const reused = new URLSearchParams({ ...params, client_secret: "wrong" }).toString();
    const bodyWins = await call(
      emulator(),
      `/v1/oauth/token?${reused}`,
      formPost({ client_secret: params.client_secret }),
    );
    expectMiroError(bodyWins, 400, "invalidGrant");
  });

  it("mixes grant_type and refresh_token in the query with credentials in the body", async () => {
    const { grant_type, refresh_token, client_id, client_secret } = refreshParams();
    const query = new URLSearchParams({ grant_type, refresh_token }).toString();
    const response = await call(
      emulator(),
      `/v1/oauth/token?${query}`,
      formPost({ client_id, client_secret }),
    );
    expect(response.status).toBe(200);
  });

  it("rejects reuse of a rotated refresh token with 400 invalidGrant", async () => {
    const params = refreshParams();
    expect((await call(emulator(), "/v1/oauth/token", formPost(params))).status).toBe(200);
    const reuse = await call(emulator(), "/v1/oauth/token", formPost(params));
    expectMiroError(reuse, 400, "invalidGrant");
  });

  it("rejects unknown and expired refresh tokens with 400 invalidGrant", async () => {
    expectMiroError(
      await call(
        emulator(),
        "/v1/oauth/token",
        formPost({ ...refreshParams(), refresh_token: "nope" }),
      ),
      400,
      "invalidGrant",
    );
    emulator().clock.advance(60 * 24 * 3600 * 1000);
    expect(emulator().refreshTokenState(refreshParams().refresh_token)).toBe("expired");
    expectMiroError(
      await call(emulator(), "/v1/oauth/token", formPost(refreshParams())),
      400,
      "invalidGrant",
    );
  });

  it("rejects a refresh token of another client with 400 invalidGrant", async () => {
    const other = emulator().createClient();
    const params = {
      ...refreshParams(),
      client_id: other.clientId,
      client_secret: other.clientSecret,
    };
    expectMiroError(
      await call(emulator(), "/v1/oauth/token", formPost(params)),
      400,
      "invalidGrant",
    );
    expect(emulator().refreshTokenState(refreshParams().refresh_token)).toBe("active");
  });

  it("answers 401 oauthError to wrong client credentials", async () => {
    for (const patch of [{ client_secret: "wrong" }, { client_id: "42" }]) {
      const response = await call(
        emulator(),
        "/v1/oauth/token",
        formPost({ ...refreshParams(), ...patch }),
      );
      expectMiroError(response, 401, "oauthError");
      expect((response.json as { message: string }).message).toBe("Invalid client credentials.");
    }
  });

  it("answers 400 invalidParameters to missing parameters, unknown grants and non-form bodies", async () => {
    const { refresh_token: _dropped, ...withoutToken } = refreshParams();
    expectMiroError(
      await call(emulator(), "/v1/oauth/token", formPost(withoutToken)),
      400,
      "invalidParameters",
    );
    expectMiroError(
      await call(
        emulator(),
        "/v1/oauth/token",
        formPost({ ...refreshParams(), grant_type: "password" }),
      ),
      400,
      "invalidParameters",
    );
    expectMiroError(
      await call(emulator(), "/v1/oauth/token", { method: "POST" }),
      400,
      "invalidParameters",
    );
    const json = await call(emulator(), "/v1/oauth/token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(refreshParams()),
    });
    expectMiroError(json, 400, "invalidParameters");
  });

  it("writes team_id as a bare JSON number above 2^53 that JSON.parse cannot hold", async () => {
    const response = await call(emulator(), "/v1/oauth/token", formPost(refreshParams()));
    const match = TEAM_ID_PATTERN.exec(response.text);
    expect(match).not.toBeNull();
    const digits = match?.[1] ?? "";
    expect(digits).toBe(seedOf(emulator()).tokens.teamId);
    expect(BigInt(digits) > 2n ** 53n).toBe(true);
    const parsed = (response.json as { team_id: number }).team_id;
    expect(typeof parsed).toBe("number");
    expect(String(parsed)).not.toBe(digits);
  });

  it("keeps a custom access-token lifetime across refreshes", async () => {
    const { client } = seedOf(emulator());
    const short = emulator().issueTokens({ accessTokenTtlSeconds: 120 });
    const response = await call(
      emulator(),
      "/v1/oauth/token",
      formPost(refreshGrant(client, short.refreshToken)),
    );
    expect((response.json as { expires_in: number }).expires_in).toBe(119);
  });
});
