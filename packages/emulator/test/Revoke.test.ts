/**
 * Token revocation over real HTTP: v1 (available and gone) and v2 (success, 404, 401, 400), and
 * that revoking an access token also kills its refresh token.
 */
import { describe, expect, it } from "vitest";
import { startEmulator } from "../src/index.ts";
import {
  bearer,
  call,
  expectMiroError,
  INVENTED_VARIANTS,
  jsonPost,
  seedOf,
  useEmulator,
} from "./support.ts";

describe("POST /v1/oauth/revoke", () => {
  const emulator = useEmulator({ variants: INVENTED_VARIANTS });

  it("answers 204, kills the access token and its refresh token", async () => {
    const { tokens } = seedOf(emulator());
    const response = await call(emulator(), `/v1/oauth/revoke?access_token=${tokens.accessToken}`, {
      method: "POST",
    });
    expect(response.status).toBe(204);
    expect(response.text).toBe("");
    expect(emulator().accessTokenState(tokens.accessToken)).toBe("revoked");
    expect(emulator().refreshTokenState(tokens.refreshToken ?? "")).toBe("revoked");
    const info = await call(emulator(), "/v1/oauth-token", { headers: bearer(tokens.accessToken) });
    expectMiroError(info, 400, "tokenInvalid");
  });

  it("also takes the token from a form body or a Bearer header, keeping it out of the URL", async () => {
    const viaForm = emulator().issueTokens();
    const form = await call(emulator(), "/v1/oauth/revoke", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `access_token=${viaForm.accessToken}`,
    });
    expect(form.status).toBe(204);
    expect(emulator().accessTokenState(viaForm.accessToken)).toBe("revoked");
    const viaBearer = emulator().issueTokens();
    const header = await call(emulator(), "/v1/oauth/revoke", {
      method: "POST",
      headers: bearer(viaBearer.accessToken),
    });
    expect(header.status).toBe(204);
    expect(emulator().accessTokenState(viaBearer.accessToken)).toBe("revoked");
    expect(
      emulator()
        .requests.slice(-2)
        .map((r) => r.secretsInUrl),
    ).toEqual([false, false]);
  });

  it("answers 400 for an already revoked or unknown token, and without access_token", async () => {
    const { tokens } = seedOf(emulator());
    const path = `/v1/oauth/revoke?access_token=${tokens.accessToken}`;
    expect((await call(emulator(), path, { method: "POST" })).status).toBe(204);
    expectMiroError(await call(emulator(), path, { method: "POST" }), 400, "tokenInvalid");
    expectMiroError(
      await call(emulator(), "/v1/oauth/revoke?access_token=nope", { method: "POST" }),
      400,
      "tokenInvalid",
    );
    expectMiroError(
      await call(emulator(), "/v1/oauth/revoke", { method: "POST" }),
      400,
      "invalidParameters",
    );
  });

  it("answers 404 to every call once configured as gone, and the token survives", async () => {
    const { tokens } = seedOf(emulator());
    emulator().configure({ v1Revoke: "gone" });
    const response = await call(emulator(), `/v1/oauth/revoke?access_token=${tokens.accessToken}`, {
      method: "POST",
    });
    expectMiroError(response, 404, "notFound");
    expect((response.json as { message: string }).message).toMatch(/retired.*\/v2\/oauth\/revoke/);
    expect(emulator().accessTokenState(tokens.accessToken)).toBe("active");
    expectMiroError(
      await call(emulator(), "/v1/oauth/revoke", { method: "POST" }),
      404,
      "notFound",
    );
  });

  it("starts gone with the v1Revoke option", async () => {
    const gone = await startEmulator({ v1Revoke: "gone" });
    try {
      const response = await call(
        gone,
        `/v1/oauth/revoke?access_token=${seedOf(gone).tokens.accessToken}`,
        {
          method: "POST",
        },
      );
      expect(response.status).toBe(404);
    } finally {
      await gone.close();
    }
  });
});

describe("POST /v2/oauth/revoke", () => {
  const emulator = useEmulator({ variants: INVENTED_VARIANTS });
  const revoke = (body: unknown) => call(emulator(), "/v2/oauth/revoke", jsonPost(body));

  it("answers 204 with valid client credentials and kills both tokens", async () => {
    const { client, tokens } = seedOf(emulator());
    const response = await revoke({
      accessToken: tokens.accessToken,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
    });
    expect(response.status).toBe(204);
    expect(emulator().accessTokenState(tokens.accessToken)).toBe("revoked");
    expect(emulator().refreshTokenState(tokens.refreshToken ?? "")).toBe("revoked");
  });

  it("answers 404 ErrorResponse for an unknown or already revoked token", async () => {
    const { client, tokens } = seedOf(emulator());
    const body = {
      accessToken: tokens.accessToken,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
    };
    expect((await revoke(body)).status).toBe(204);
    const again = await revoke(body);
    expectMiroError(again, 404, "notFound");
    expect((again.json as { message: string }).message).toBe("Failed to revoke token");
    expectMiroError(await revoke({ ...body, accessToken: "unknown-token" }), 404, "notFound");
  });

  it("answers 404 for a token of another client and leaves it alive", async () => {
    const { client } = seedOf(emulator());
    const other = emulator().createClient();
    const foreign = emulator().issueTokens({ clientId: other.clientId });
    const response = await revoke({
      accessToken: foreign.accessToken,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
    });
    expectMiroError(response, 404, "notFound");
    expect(emulator().accessTokenState(foreign.accessToken)).toBe("active");
  });

  it("answers 401 oauthError for wrong client credentials", async () => {
    const { client, tokens } = seedOf(emulator());
    for (const credentials of [
      { clientId: client.clientId, clientSecret: "wrong" },
      { clientId: "123", clientSecret: client.clientSecret },
    ]) {
      const response = await revoke({ accessToken: tokens.accessToken, ...credentials });
      expectMiroError(response, 401, "oauthError");
      expect((response.json as { message: string }).message).toBe("Invalid client credentials.");
    }
    expect(emulator().accessTokenState(tokens.accessToken)).toBe("active");
  });

  it("answers 400 invalidParameters to a wrong content type, malformed JSON or missing fields", async () => {
    const { client, tokens } = seedOf(emulator());
    const body = JSON.stringify({
      accessToken: tokens.accessToken,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
    });
    const asText = await call(emulator(), "/v2/oauth/revoke", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body,
    });
    expectMiroError(asText, 400, "invalidParameters");
    const malformed = await call(emulator(), "/v2/oauth/revoke", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"accessToken":',
    });
    expectMiroError(malformed, 400, "invalidParameters");
    expectMiroError(await revoke({ accessToken: tokens.accessToken }), 400, "invalidParameters");
    expectMiroError(await revoke([1, 2]), 400, "invalidParameters");
    expect(emulator().accessTokenState(tokens.accessToken)).toBe("active");
  });
});
