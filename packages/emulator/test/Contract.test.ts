/**
 * The contract test: every answer of the emulator's Miro routes, under every variant value (each
 * dimension's values one at a time, plus seeded mixes), checked against the schemas written from
 * Miro's documented contract (test/contract/MiroContract.ts): status codes, bodies, headers.
 * Undocumented answers pass only where the variant in force declares them.
 */
import { describe, expect, it } from "vitest";
import {
  type Emulator,
  startEmulator,
  type Variants,
  variantProfiles,
  variantsForSeed,
} from "../src/index.ts";
import { type ContractRoute, contractProblems } from "./contract/MiroContract.ts";
import { bearer, formPost, jsonPost, refreshGrant, seedOf } from "./support.ts";

/** The documented defaults, then every other value of each dimension, then seeded mixes. */
const PROFILES: ReadonlyArray<{ readonly name: string; readonly variants: Variants }> = [
  ...variantProfiles(),
  ...[1, 2, 3, 4, 5].map((seed) => ({ name: `seed ${seed}`, variants: variantsForSeed(seed) })),
];

interface Seen {
  readonly route: ContractRoute;
  readonly what: string;
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** Every kind of request a client can make to each route, recorded. */
const exercise = async (emulator: Emulator): Promise<Array<Seen>> => {
  const seen: Array<Seen> = [];
  const hit = async (route: ContractRoute, what: string, path: string, init: RequestInit = {}) => {
    const response = await fetch(`${emulator.baseUrl}${path}`, { redirect: "manual", ...init });
    const text = await response.text();
    seen.push({ route, what, status: response.status, headers: response.headers, text });
    return { status: response.status, text };
  };
  const { client } = seedOf(emulator);
  const live = () => emulator.issueTokens();
  const info = (token: string) => ({ headers: bearer(token) });
  const v2 = (accessToken: string, clientSecret = client.clientSecret) =>
    jsonPost({ accessToken, clientId: client.clientId, clientSecret });
  const post = { method: "POST" };

  const a = live();
  await hit("token-info", "active", "/v1/oauth-token", info(a.accessToken));
  await hit("token-info", "query token", `/v1/oauth-token?access_token=${a.accessToken}`);
  await hit("token-info", "unknown", "/v1/oauth-token", info("not-a-token"));
  await hit("token-info", "no token", "/v1/oauth-token");
  const revoked = live();
  emulator.revokeAccess(revoked.accessToken);
  await hit("token-info", "revoked", "/v1/oauth-token", info(revoked.accessToken));
  const rotated = live();
  const refresh = await hit(
    "token",
    "refresh",
    "/v1/oauth/token",
    formPost(refreshGrant(client, rotated.refreshToken)),
  );
  expect(refresh.status).toBe(200);
  await hit("token-info", "rotated", "/v1/oauth-token", info(rotated.accessToken));
  await hit("token", "reused refresh token", "/v1/oauth/token", {
    ...formPost(refreshGrant(client, rotated.refreshToken)),
  });
  await hit(
    "token",
    "query refresh",
    `/v1/oauth/token?${new URLSearchParams(refreshGrant(client, live().refreshToken))}`,
    post,
  );
  await hit(
    "token",
    "wrong secret",
    "/v1/oauth/token",
    formPost(refreshGrant({ ...client, clientSecret: "x" }, live().refreshToken)),
  );
  await hit(
    "token",
    "missing parameters",
    "/v1/oauth/token",
    formPost({ grant_type: "refresh_token" }),
  );
  await hit("token", "unknown grant", "/v1/oauth/token", formPost({ grant_type: "password" }));
  await hit("token", "json body", "/v1/oauth/token", jsonPost({ grant_type: "refresh_token" }));
  const redirectUri = "http://127.0.0.1:9/cb";
  const authorize = await fetch(
    `${emulator.baseUrl}/oauth/authorize?response_type=code&client_id=${client.clientId}&redirect_uri=${encodeURIComponent(redirectUri)}`,
    { redirect: "manual" },
  );
  const code = new URL(authorize.headers.get("location") ?? "").searchParams.get("code") ?? "";
  const exchange = {
    grant_type: "authorization_code",
    client_id: client.clientId,
    client_secret: client.clientSecret,
    code,
  };
  await hit(
    "token",
    "redirect mismatch",
    "/v1/oauth/token",
    formPost({ ...exchange, redirect_uri: "http://127.0.0.1:9/other" }),
  );
  await hit(
    "token",
    "used code",
    "/v1/oauth/token",
    formPost({ ...exchange, redirect_uri: redirectUri }),
  );

  const b = live();
  await hit("revoke-v1", "query", `/v1/oauth/revoke?access_token=${b.accessToken}`, post);
  await hit(
    "revoke-v1",
    "query, already revoked",
    `/v1/oauth/revoke?access_token=${b.accessToken}`,
    post,
  );
  await hit("revoke-v1", "no token", "/v1/oauth/revoke", post);
  await hit(
    "revoke-v1",
    "form body",
    "/v1/oauth/revoke",
    formPost({ access_token: live().accessToken }),
  );
  await hit("revoke-v1", "bearer", "/v1/oauth/revoke", {
    ...post,
    headers: bearer(live().accessToken),
  });

  await hit("revoke-v2", "valid", "/v2/oauth/revoke", v2(live().accessToken));
  await hit("revoke-v2", "unknown", "/v2/oauth/revoke", v2("not-a-token"));
  await hit("revoke-v2", "wrong secret", "/v2/oauth/revoke", v2(live().accessToken, "wrong"));
  await hit("revoke-v2", "missing fields", "/v2/oauth/revoke", jsonPost({}));
  await hit("revoke-v2", "form body", "/v2/oauth/revoke", formPost({ accessToken: "x" }));

  emulator.configure({ rateLimit: { creditsPerMinute: 0 } });
  const c = live();
  await hit("token-info", "rate limited", "/v1/oauth-token", info(c.accessToken));
  await hit("revoke-v1", "rate limited", `/v1/oauth/revoke?access_token=${c.accessToken}`, post);
  await hit("revoke-v2", "rate limited", "/v2/oauth/revoke", v2(c.accessToken));
  await hit(
    "token",
    "rate limited",
    "/v1/oauth/token",
    formPost(refreshGrant(client, c.refreshToken)),
  );
  return seen;
};

describe("the emulator against Miro's documented contract", () => {
  for (const profile of PROFILES) {
    it(`every answer conforms under ${profile.name}`, async () => {
      const emulator = await startEmulator({ variants: profile.variants });
      try {
        expect(emulator.settings().variants).toEqual(profile.variants);
        const seen = await exercise(emulator);
        const problems = seen.flatMap((response) =>
          contractProblems(response.route, profile.variants, response).map(
            (problem) => `${response.route} (${response.what}) -> ${response.status}: ${problem}`,
          ),
        );
        expect(problems).toEqual([]);
        const rateLimited = seen.filter((response) => response.what === "rate limited");
        expect(rateLimited.map((response) => response.status)).toEqual([429, 429, 429, 429]);
      } finally {
        await emulator.close();
      }
    });
  }

  it("documented: v1 revoke reads the token only from the query; 429 has no Retry-After", async () => {
    const emulator = await startEmulator();
    try {
      const token = emulator.issueTokens().accessToken;
      const form = await fetch(
        `${emulator.baseUrl}/v1/oauth/revoke`,
        formPost({ access_token: token }),
      );
      expect(form.status).toBe(400);
      expect(await form.text()).toBe("");
      const bearerOnly = await fetch(`${emulator.baseUrl}/v1/oauth/revoke`, {
        method: "POST",
        headers: bearer(token),
      });
      expect(bearerOnly.status).toBe(400);
      expect(emulator.accessTokenState(token)).toBe("active");
      emulator.configure({ rateLimit: { creditsPerMinute: 0 } });
      const limited = await fetch(`${emulator.baseUrl}/v1/oauth-token`, { headers: bearer(token) });
      expect(limited.status).toBe(429);
      expect(limited.headers.get("retry-after")).toBeNull();
    } finally {
      await emulator.close();
    }
  });

  it("rotationGrace=60s: the old access token works 60 s after a refresh, then dies", async () => {
    const emulator = await startEmulator({ variants: { rotationGrace: "60s" } });
    try {
      const { client } = seedOf(emulator);
      const old = emulator.issueTokens();
      const refreshed = await fetch(
        `${emulator.baseUrl}/v1/oauth/token`,
        formPost(refreshGrant(client, old.refreshToken)),
      );
      expect(refreshed.status).toBe(200);
      expect(emulator.accessTokenState(old.accessToken)).toBe("active");
      expect(emulator.refreshTokenState(old.refreshToken ?? "")).toBe("rotated");
      emulator.clock.advance(60_000);
      expect(emulator.accessTokenState(old.accessToken)).toBe("rotated");
    } finally {
      await emulator.close();
    }
  });

  it("a seed picks the same variants every time, and different seeds differ", () => {
    expect(variantsForSeed(42)).toEqual(variantsForSeed(42));
    const picks = new Set([0, 1, 2, 3, 4, 5, 6, 7].map((s) => JSON.stringify(variantsForSeed(s))));
    expect(picks.size).toBeGreaterThan(1);
  });
});
