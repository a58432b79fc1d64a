// The promise facade: same results, and rejections with the same typed error instances.
import { describe, expect, it } from "@effect/vitest";
import { Redacted } from "effect";
import {
  createTokenClient,
  InvalidTokenError,
  MalformedTokenError,
  TokenClient,
} from "../src/index.ts";
import { fakeTransport, json, miroError } from "./FakeTransport.ts";

const entity = (type: string) => ({ type, name: `${type} name`, id: "1" });
const INFO = {
  type: "oAuthToken",
  team: entity("team"),
  createdBy: entity("user"),
  user: entity("user"),
};

describe("createTokenClient", () => {
  it("resolves with the Effect client's result and accepts plain strings", async () => {
    const t = fakeTransport(json(200, INFO));
    const client = createTokenClient({ transport: t.layer, baseUrl: "https://miro.test" });
    const result = await client.info("plain-token-0001");
    expect(result.info.team.name).toBe("team name");
    expect(t.requests[0]?.headers.authorization).toBe("Bearer plain-token-0001");
    await client.dispose();
  });

  it("rejects with the typed error instance", async () => {
    const client = createTokenClient({
      transport: fakeTransport(miroError(400, "tokenExpired")).layer,
    });
    const error = await client.info(Redacted.make("t0k3n-0001")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error).toMatchObject({
      _tag: "InvalidTokenError",
      code: "tokenExpired",
      attempts: 1,
      retryable: false,
    });
    const malformed = await client.revoke("bad token").catch((e: unknown) => e);
    expect(malformed).toBeInstanceOf(MalformedTokenError);
    await client.dispose();
  });

  it("refreshes and exchanges codes with configured credentials", async () => {
    const body =
      '{"token_type":"bearer","team_id":3074457358607431473,"access_token":"a-0001","refresh_token":"r-0001","scope":"boards:read","expires_in":3599}';
    const t = fakeTransport({ status: 200, body });
    await using client = createTokenClient({
      transport: t.layer,
      clientId: "c",
      clientSecret: "s",
    });
    const set = await client.refresh({ refreshToken: "r-0000" });
    expect(set.teamId).toBe("3074457358607431473");
    expect(Redacted.value(set.accessToken)).toBe("a-0001");
    const exchanged = await client.exchangeCode("code", "https://app.test/cb");
    expect(exchanged.refreshToken && Redacted.value(exchanged.refreshToken)).toBe("r-0001");
  });

  it("interrupts a call when its signal aborts", async () => {
    const client = createTokenClient({ transport: fakeTransport({ hang: true }).layer });
    const controller = new AbortController();
    const pending = client.info("t0k3n-0001", { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeDefined();
    await client.dispose();
  });

  it("interrupts the calls in flight when disposed, and rejects calls after", async () => {
    const t = fakeTransport(json(200, INFO), { hang: true });
    const client = createTokenClient({ transport: t.layer });
    // The first call builds the runtime; later ones enter the built runtime directly.
    await client.info("t0k3n-0001");
    const hanging = client.info("t0k3n-0002").catch((e: unknown) => e);
    await client.dispose();
    expect(await hanging).toBeDefined();
    await expect(client.info("t0k3n-0003")).rejects.toBeDefined();
    expect(t.requests).toHaveLength(2);
  });

  it("is the same service the Effect API exposes", () => {
    expect(typeof TokenClient.layer).toBe("object");
  });
});
