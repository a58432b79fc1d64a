/**
 * The HTTP control API under /__emulator/*: tokens, clients, clock, faults, request log, config
 * and token states, and its error answers.
 */

import { describe, expect, it } from "vitest";
import type { IssuedTokens, LoggedRequest } from "../src/index.ts";
import { DOCUMENTED_VARIANTS, variantsForSeed } from "../src/index.ts";
import {
  bearer,
  call,
  expectMiroError,
  formPost,
  INVENTED_VARIANTS,
  jsonPost,
  seedOf,
  useEmulator,
} from "./support.ts";

describe("HTTP control API /__emulator/*", () => {
  const emulator = useEmulator({ now: 1_700_000_000_000, variants: INVENTED_VARIANTS });
  const control = (path: string, init: RequestInit = {}) =>
    call(emulator(), `/__emulator/${path}`, init);

  it("issues tokens that the Miro routes accept", async () => {
    const response = await control(
      "tokens",
      jsonPost({ scopes: ["identity:read"], teamId: "3074457000000000042" }),
    );
    expect(response.status).toBe(200);
    const tokens = response.json as IssuedTokens;
    expect(tokens).toMatchObject({
      scope: "identity:read",
      teamId: "3074457000000000042",
      expiresIn: 3599,
    });
    expect(
      (await call(emulator(), "/v1/oauth-token", { headers: bearer(tokens.accessToken) })).status,
    ).toBe(200);
    const nonExpiring = (await control("tokens", jsonPost({ expiring: false })))
      .json as IssuedTokens;
    expect(nonExpiring.refreshToken).toBeUndefined();
  });

  it("creates clients and reports the seed", async () => {
    const created = await control(
      "clients",
      jsonPost({ clientId: "42", redirectUris: ["https://a.example/cb"] }),
    );
    expect(created.json).toEqual({
      clientId: "42",
      clientSecret: expect.any(String),
      redirectUris: ["https://a.example/cb"],
    });
    expectMiroError(
      await control("clients", jsonPost({ clientId: "42" })),
      400,
      "invalidParameters",
    );
    expect((await control("seed")).json).toEqual(seedOf(emulator()));
  });

  it("reads, advances and sets the clock", async () => {
    expect((await control("clock")).json).toEqual({ now: 1_700_000_000_000 });
    expect((await control("clock/advance", jsonPost({ ms: 3_600_000 }))).json).toEqual({
      now: 1_700_003_600_000,
    });
    expect(emulator().accessTokenState(seedOf(emulator()).tokens.accessToken)).toBe("expired");
    expect((await control("clock/set", jsonPost({ now: 1_700_000_000_000 }))).json).toEqual({
      now: 1_700_000_000_000,
    });
    expectMiroError(await control("clock/advance", jsonPost({ ms: -5 })), 400, "invalidParameters");
    expectMiroError(
      await control("clock/advance", jsonPost({ ms: "soon" })),
      400,
      "invalidParameters",
    );
  });

  it("queues and clears faults", async () => {
    const queued = await control(
      "faults",
      jsonPost({ route: "token-info", fault: { kind: "status", status: 500 }, times: 2 }),
    );
    expect(queued.status).toBe(204);
    expect((await call(emulator(), "/v1/oauth-token")).status).toBe(500);
    expect((await control("faults", { method: "DELETE" })).status).toBe(204);
    expect((await call(emulator(), "/v1/oauth-token")).status).toBe(401);
    expectMiroError(
      await control("faults", jsonPost({ route: "token-info", fault: { kind: "explode" } })),
      400,
      "invalidParameters",
    );
    expectMiroError(
      await control("faults", jsonPost({ route: "moon", fault: { kind: "reset" } })),
      400,
      "invalidParameters",
    );
  });

  it("lists and clears the request log, without logging itself", async () => {
    await call(emulator(), "/v1/oauth-token");
    const log = (await control("requests")).json as Array<LoggedRequest>;
    expect(log.map((entry) => [entry.route, entry.status])).toEqual([["token-info", 401]]);
    expect((await control("requests", { method: "DELETE" })).status).toBe(204);
    expect((await control("requests")).json).toEqual([]);
  });

  it("reads and patches the configuration", async () => {
    const patched = await control(
      "config",
      jsonPost({ v1Revoke: "gone", retryAfterOn429: false, rateLimit: { costPerRequest: 10 } }),
    );
    expect(patched.json).toEqual({
      v1Revoke: "gone",
      retryAfterOn429: false,
      rateLimit: { creditsPerMinute: 100000, costPerRequest: 10 },
      variants: { ...DOCUMENTED_VARIANTS, ...INVENTED_VARIANTS, retryAfter: "absent" },
      clock: "frozen",
    });
    const seeded = await control("config", jsonPost({ variantSeed: 11 }));
    expect(seeded.json).toMatchObject({ variantSeed: 11, variants: variantsForSeed(11) });
    const set = await control(
      "config",
      jsonPost({ variants: { tokenInfoFailure: "401-unknown-code" } }),
    );
    expect(set.json).toMatchObject({
      variants: { ...variantsForSeed(11), tokenInfoFailure: "401-unknown-code" },
    });
    for (const variants of [{ tokenInfoFailure: "418" }, { bogus: "x" }, "x"]) {
      expectMiroError(await control("config", jsonPost({ variants })), 400, "invalidParameters");
    }
    expect(
      (await call(emulator(), "/v1/oauth/revoke?access_token=x", { method: "POST" })).status,
    ).toBe(404);
    expect((await control("config")).json).toMatchObject({ v1Revoke: "gone" });
    expectMiroError(
      await control("config", jsonPost({ v1Revoke: "maybe" })),
      400,
      "invalidParameters",
    );
    expectMiroError(
      await control("config", jsonPost({ rateLimit: { costPerRequest: -1 } })),
      400,
      "invalidParameters",
    );
  });

  it("reports token states and revokes behind the client's back", async () => {
    const { tokens } = seedOf(emulator());
    const state = () =>
      control(
        "tokens/state",
        jsonPost({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken }),
      );
    expect((await state()).json).toEqual({ accessToken: "active", refreshToken: "active" });
    expect(
      (await control("tokens/revoke", jsonPost({ accessToken: tokens.accessToken }))).status,
    ).toBe(204);
    expect((await state()).json).toEqual({ accessToken: "revoked", refreshToken: "revoked" });
  });

  it("is not rate limited and answers Miro-style errors to bad calls", async () => {
    emulator().configure({ rateLimit: { creditsPerMinute: 0 } });
    const clock = await control("clock");
    expect(clock.status).toBe(200);
    expect(clock.headers.get("x-ratelimit-limit")).toBeNull();
    expectMiroError(await control("nothing-here"), 404, "notFound");
    expectMiroError(await control("clock", { method: "DELETE" }), 405, "methodNotAllowed");
    const notJson = await control("tokens", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expectMiroError(notJson, 400, "invalidParameters");
    expectMiroError(await control("tokens", jsonPost({ color: "blue" })), 400, "invalidParameters");
    expectMiroError(
      await control("tokens", jsonPost({ teamId: "not-digits" })),
      400,
      "invalidParameters",
    );
    expectMiroError(await control("tokens", formPost({ a: "b" })), 400, "invalidParameters");
  });
});
