/**
 * The request log: no secret (or 8-character slice of one) survives masking, secretsInUrl flags
 * query-string secrets, entries carry clock time, route and status, and the log is capped.
 */
import { describe, expect, it } from "vitest";
import { REQUEST_LOG_CAP, RequestLog } from "../src/RequestLog.ts";
import { bearer, call, formPost, jsonPost, refreshGrant, seedOf, useEmulator } from "./support.ts";

/** Every 8-character slice of a secret's random part (Miro's token prefix is public). */
const slices = (secret: string): Array<string> => {
  const part = secret.replace(/^eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_/, "");
  return Array.from({ length: part.length - 7 }, (_, start) => part.slice(start, start + 8));
};

describe("request log", () => {
  const emulator = useEmulator();

  it("masks tokens, refresh tokens, client secrets and codes everywhere", async () => {
    const { client, tokens } = seedOf(emulator());
    const other = emulator().issueTokens();
    await call(emulator(), "/v1/oauth-token", { headers: bearer(tokens.accessToken) });
    await call(emulator(), `/v1/oauth-token?access_token=${other.accessToken}`);
    await call(
      emulator(),
      "/v2/oauth/revoke",
      jsonPost({
        accessToken: other.accessToken,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
      }),
    );
    const authorize = await call(
      emulator(),
      `/oauth/authorize?response_type=code&client_id=${client.clientId}&redirect_uri=http://127.0.0.1:1/cb&state=s`,
    );
    const code = new URL(authorize.headers.get("location") ?? "").searchParams.get("code") ?? "";
    const exchanged = await call(
      emulator(),
      "/v1/oauth/token",
      formPost({
        grant_type: "authorization_code",
        client_id: client.clientId,
        client_secret: client.clientSecret,
        code,
        redirect_uri: "http://127.0.0.1:1/cb",
      }),
    );
    expect(exchanged.status).toBe(200);
    await call(emulator(), "/v1/oauth/token", formPost(refreshGrant(client, tokens.refreshToken)));
    // A secret inside text that is neither form nor JSON, and under an unknown path.
    await call(emulator(), "/v2/oauth/revoke", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: `token ${tokens.accessToken} and ${client.clientSecret}`,
    });
    await call(emulator(), `/nowhere/${tokens.refreshToken}`);

    const log = JSON.stringify(emulator().requests);
    expect(emulator().requests).toHaveLength(8);
    for (const secret of [
      tokens.accessToken,
      tokens.refreshToken ?? "",
      other.accessToken,
      client.clientSecret,
      code,
    ]) {
      expect(secret.length).toBeGreaterThan(20);
      for (const slice of slices(secret)) expect(log).not.toContain(slice);
    }
    expect(log).toContain("(masked:");
    expect(emulator().requests[0]?.headers.authorization).toMatch(
      /^Bearer eyJt…\(masked:[0-9a-f]{4}\)$/,
    );
    expect(emulator().requests[0]?.headers.host).toBe(new URL(emulator().baseUrl).host);
  });

  it("masks secrets of clients it has never heard of, by parameter name", async () => {
    const canarySecret = "c4n4ry-s3cr3t-Zq8XvT2pLm9Wk";
    await call(
      emulator(),
      "/v1/oauth/token",
      formPost(
        refreshGrant({ clientId: "1", clientSecret: canarySecret }, "r3fr3sh-Zq8XvT2pLm9Wk-abc"),
      ),
    );
    await call(emulator(), `/v1/oauth/token?client_secret=${canarySecret}`, { method: "POST" });
    const log = JSON.stringify(emulator().requests);
    for (const secret of [canarySecret, "r3fr3sh-Zq8XvT2pLm9Wk-abc"]) {
      for (const slice of slices(secret)) expect(log).not.toContain(slice);
    }
  });

  it("flags secrets that arrived in the query string, and only those", async () => {
    const { client, tokens } = seedOf(emulator());
    await call(emulator(), "/v1/oauth-token", { headers: bearer(tokens.accessToken) });
    await call(emulator(), `/v1/oauth-token?access_token=${tokens.accessToken}`);
    await call(
      emulator(),
      `/v1/oauth/token?grant_type=refresh_token&client_id=${client.clientId}`,
      formPost({ client_secret: client.clientSecret, refresh_token: tokens.refreshToken ?? "" }),
    );
    await call(
      emulator(),
      `/v1/oauth/token?grant_type=refresh_token&client_id=${client.clientId}&client_secret=${client.clientSecret}`,
      { method: "POST" },
    );
    await call(emulator(), `/v1/oauth/revoke?access_token=${tokens.accessToken}`, {
      method: "POST",
    });
    expect(emulator().requests.map((entry) => entry.secretsInUrl)).toEqual([
      false,
      true,
      false,
      true,
      true,
    ]);
    expect(emulator().requests[2]?.query).toEqual({
      grant_type: "refresh_token",
      client_id: client.clientId,
    });
  });

  it("records time on the emulator clock, method, path, route and status; clearRequests empties it", async () => {
    emulator().clock.set(1_800_000_000_000);
    await call(emulator(), "/v1/oauth-token", { method: "DELETE" });
    await call(emulator(), "/v3/unknown?x=1");
    expect(emulator().requests).toEqual([
      expect.objectContaining({
        time: 1_800_000_000_000,
        method: "DELETE",
        path: "/v1/oauth-token",
        route: "token-info",
        status: 405,
      }),
      expect.objectContaining({
        method: "GET",
        path: "/v3/unknown",
        query: { x: "1" },
        route: "unknown",
        status: 404,
      }),
    ]);
    emulator().clearRequests();
    expect(emulator().requests).toEqual([]);
  });
});

describe("request log cap", () => {
  it("keeps only the most recent REQUEST_LOG_CAP entries", () => {
    const log = new RequestLog();
    const entry = (time: number) => ({
      time,
      method: "GET",
      path: "/v1/oauth-token",
      query: {},
      headers: {},
      body: "",
      route: "token-info" as const,
      status: 200,
      secretsInUrl: false,
    });
    for (let time = 0; time < REQUEST_LOG_CAP + 25; time++) log.add(entry(time));
    const entries = log.list();
    expect(entries).toHaveLength(REQUEST_LOG_CAP);
    expect(entries[0]?.time).toBe(25);
    expect(entries.at(-1)?.time).toBe(REQUEST_LOG_CAP + 24);
  });
});
