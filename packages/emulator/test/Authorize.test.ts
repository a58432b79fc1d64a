/**
 * GET /oauth/authorize plus the authorization_code grant: redirect with code and state,
 * single-use 10-minute codes on the emulator clock, redirect URI rules, non-expiring clients.
 */
import { describe, expect, it } from "vitest";
import { CODE_TTL_MS, type Emulator } from "../src/index.ts";
import {
  bearer,
  call,
  expectMiroError,
  formPost,
  INVENTED_VARIANTS,
  useEmulator,
} from "./support.ts";

const REDIRECT = "http://127.0.0.1:5555/callback";

const authorize = (emulator: Emulator, params: Record<string, string>) =>
  call(emulator, `/oauth/authorize?${new URLSearchParams(params).toString()}`);

/** Runs the authorize step and returns the redirect's query parameters. */
const codeFor = async (
  emulator: Emulator,
  clientId: string,
  redirectUri = REDIRECT,
  state = "xyz",
) => {
  const response = await authorize(emulator, {
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri,
    state,
  });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get("location") ?? "");
  expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
  return location.searchParams;
};

describe("GET /oauth/authorize and the authorization_code grant", () => {
  const emulator = useEmulator({ variants: INVENTED_VARIANTS });
  const exchange = (
    client: { clientId: string; clientSecret: string },
    code: string,
    redirectUri = REDIRECT,
  ) =>
    call(
      emulator(),
      "/v1/oauth/token",
      formPost({
        grant_type: "authorization_code",
        client_id: client.clientId,
        client_secret: client.clientSecret,
        code,
        redirect_uri: redirectUri,
      }),
    );

  it("redirects with a code and the caller's state, and the code buys working tokens", async () => {
    const client = emulator().createClient();
    const query = await codeFor(emulator(), client.clientId);
    expect(query.get("state")).toBe("xyz");
    const code = query.get("code") ?? "";
    expect(code).toMatch(/^eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_/);
    const response = await exchange(client, code);
    expect(response.status).toBe(200);
    const body = response.json as {
      access_token: string;
      refresh_token: string;
      expires_in: number;
    };
    expect(body.expires_in).toBe(3599);
    expect(emulator().refreshTokenState(body.refresh_token)).toBe("active");
    expect(
      (await call(emulator(), "/v1/oauth-token", { headers: bearer(body.access_token) })).status,
    ).toBe(200);
  });

  it("makes codes single-use", async () => {
    const client = emulator().createClient();
    const code = (await codeFor(emulator(), client.clientId)).get("code") ?? "";
    expect((await exchange(client, code)).status).toBe(200);
    expectMiroError(await exchange(client, code), 400, "invalidGrant");
  });

  it("expires codes 10 minutes after issue on the emulator clock", async () => {
    const client = emulator().createClient();
    const early = (await codeFor(emulator(), client.clientId)).get("code") ?? "";
    emulator().clock.advance(CODE_TTL_MS - 1);
    expect((await exchange(client, early)).status).toBe(200);
    const late = (await codeFor(emulator(), client.clientId)).get("code") ?? "";
    emulator().clock.advance(CODE_TTL_MS);
    expectMiroError(await exchange(client, late), 400, "invalidGrant");
  });

  it("answers 401 Redirect URI mismatch when the exchange names another redirect_uri", async () => {
    const client = emulator().createClient();
    const code = (await codeFor(emulator(), client.clientId)).get("code") ?? "";
    const response = await exchange(client, code, "http://127.0.0.1:5555/other");
    expect(response.json).toEqual({
      status: 401,
      code: "oauthError",
      message: "Redirect URI mismatch.",
      type: "error",
    });
  });

  it("issues non-expiring tokens, without refresh_token or expires_in, for such clients", async () => {
    const client = emulator().createClient({ expiringTokens: false });
    const code = (await codeFor(emulator(), client.clientId)).get("code") ?? "";
    const response = await exchange(client, code);
    expect(response.status).toBe(200);
    expect(Object.keys(response.json as object).sort()).toEqual([
      "access_token",
      "scope",
      "team_id",
      "token_type",
      "user_id",
    ]);
    expect(response.text).toMatch(/"team_id":\d{19}[,}]/);
  });

  it("accepts only registered redirect URIs when the client has some", async () => {
    const client = emulator().createClient({ redirectUris: ["https://app.example/cb"] });
    expect(
      (await codeFor(emulator(), client.clientId, "https://app.example/cb")).get("code"),
    ).toBeTruthy();
    const loopback = await authorize(emulator(), {
      response_type: "code",
      client_id: client.clientId,
      redirect_uri: REDIRECT,
    });
    expectMiroError(loopback, 400, "invalidParameters");
    expect(loopback.headers.get("location")).toBeNull();
  });

  it("accepts any http loopback redirect for a client registered without any, and nothing else", async () => {
    const client = emulator().createClient();
    expect(
      (await codeFor(emulator(), client.clientId, "http://localhost:9999/x")).get("code"),
    ).toBeTruthy();
    for (const redirect of [
      "https://127.0.0.1:5555/cb",
      "http://evil.example/cb",
      "not a url",
      "",
    ]) {
      const response = await authorize(emulator(), {
        response_type: "code",
        client_id: client.clientId,
        redirect_uri: redirect,
      });
      expectMiroError(response, 400, "invalidParameters");
    }
  });

  it("answers 400 to an unknown client and redirects an unsupported response_type back with an error", async () => {
    expectMiroError(
      await authorize(emulator(), {
        response_type: "code",
        client_id: "nope",
        redirect_uri: REDIRECT,
      }),
      400,
      "invalidParameters",
    );
    const client = emulator().createClient();
    const response = await authorize(emulator(), {
      response_type: "token",
      client_id: client.clientId,
      redirect_uri: REDIRECT,
      state: "s1",
    });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("unsupported_response_type");
    expect(location.searchParams.get("state")).toBe("s1");
    expect(location.searchParams.has("code")).toBe(false);
  });
});
