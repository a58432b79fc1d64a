/**
 * Paths and methods the emulator does not serve (404, 405, 413), garbage input, and a smoke test
 * of the public exports.
 */
import { describe, expect, it } from "vitest";
import * as Emulator from "../src/index.ts";
import { call, expectMiroError, useEmulator } from "./support.ts";

describe("routing and bad requests", () => {
  const emulator = useEmulator();

  it("answers unknown paths with a Miro-style 404 and no rate-limit headers", async () => {
    const response = await call(emulator(), "/v2/boards");
    expectMiroError(response, 404, "notFound");
    expect(response.headers.get("x-ratelimit-limit")).toBeNull();
  });

  it("answers a wrong method on every Miro route with 405", async () => {
    for (const [path, allowed] of [
      ["/v1/oauth/revoke", "POST"],
      ["/v2/oauth/revoke", "POST"],
      ["/v1/oauth/token", "POST"],
      ["/oauth/authorize", "GET"],
    ] as const) {
      const response = await call(emulator(), path, { method: allowed === "GET" ? "PUT" : "GET" });
      expectMiroError(response, 405, "methodNotAllowed");
      expect(response.headers.get("allow")).toBe(allowed);
    }
  });

  it("answers 413 to a body over 1 MiB", async () => {
    const response = await call(emulator(), "/v2/oauth/revoke", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "x".repeat(1024 * 1024 + 1),
    });
    expectMiroError(response, 413, "payloadTooLarge");
  });

  it("keeps serving after garbage requests", async () => {
    await call(emulator(), "/v1/oauth/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "%%%&&&==",
    });
    await call(emulator(), "/v2/oauth/revoke", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "null",
    });
    expect((await call(emulator(), "/__emulator/clock")).status).toBe(200);
  });
});

describe("public exports", () => {
  it("exports startEmulator and the documented constants", () => {
    expect(typeof Emulator.startEmulator).toBe("function");
    expect(Emulator.EMULATOR_ROUTES).toEqual([
      "token-info",
      "revoke-v1",
      "revoke-v2",
      "token",
      "authorize",
      "any",
    ]);
    expect(Emulator.MIRO_TOKEN_PREFIX).toBe("eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_");
    expect(Emulator.DEFAULT_RATE_LIMIT).toEqual({ creditsPerMinute: 100_000, costPerRequest: 50 });
    expect(Emulator.CODE_TTL_MS).toBe(600_000);
    expect(Emulator.DEFAULT_REFRESH_TOKEN_TTL_SECONDS).toBe(60 * 24 * 3600);
  });
});
