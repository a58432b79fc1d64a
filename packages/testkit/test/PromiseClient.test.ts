// The promise client as a user without Effect meets it: no transport given (the default is the
// global fetch through Effect's FetchHttpClient), options from `fromEnv`, `await using` and
// `dispose()`, real HTTP over loopback to the emulator.
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest";
import {
  ClientAuthError,
  createTokenClient,
  fromEnv,
  InvalidGrantError,
  InvalidTokenError,
  reveal,
} from "@miro-token/core";
import { type Emulator, startEmulator } from "@miro-token/emulator";
import { Redacted } from "effect";
import { errorSurfaces, findLeaks } from "../src/index.ts";

let emulator: Emulator;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startEmulator();
  const seed = emulator.seed;
  if (seed === undefined) throw new Error("the emulator has no seed");
  env = {
    MIRO_API_BASE_URL: emulator.baseUrl,
    MIRO_CLIENT_ID: seed.client.clientId,
    MIRO_CLIENT_SECRET: seed.client.clientSecret,
  };
});

afterAll(() => emulator.close());

describe("fromEnv", () => {
  it("reads MIRO_API_BASE_URL, MIRO_CLIENT_ID and MIRO_CLIENT_SECRET (redacted)", () => {
    const options = fromEnv(env);
    expect(options.baseUrl).toBe(emulator.baseUrl);
    expect(options.clientId).toBe(env.MIRO_CLIENT_ID);
    expect(Redacted.isRedacted(options.clientSecret)).toBe(true);
    expect(JSON.stringify(options)).not.toContain(env.MIRO_CLIENT_SECRET);
  });

  it("leaves unset variables out, so spreading it never erases an option", () => {
    expect(fromEnv({})).toEqual({});
    expect({ baseUrl: "http://kept.test", ...fromEnv({}) }.baseUrl).toBe("http://kept.test");
  });

  it("reads process.env by default", () => {
    const saved = process.env.MIRO_CLIENT_ID;
    process.env.MIRO_CLIENT_ID = "from-process-env";
    try {
      expect(fromEnv().clientId).toBe("from-process-env");
    } finally {
      if (saved === undefined) delete process.env.MIRO_CLIENT_ID;
      else process.env.MIRO_CLIENT_ID = saved;
    }
  });
});

describe("createTokenClient without a transport", () => {
  it("reads token info from the emulator over the global fetch", async () => {
    const issued = emulator.issueTokens();
    await using client = createTokenClient({ baseUrl: emulator.baseUrl });
    const { info, rateLimit } = await client.info(issued.accessToken);
    expect(info.user.id).toBe(issued.userId);
    expect(rateLimit?.limit).toBeGreaterThan(0);
  });

  it("refreshes with fromEnv() credentials and rejects the rotated pair with typed errors", async () => {
    const issued = emulator.issueTokens();
    const client = createTokenClient(fromEnv(env));
    const next = await client.refresh({ refreshToken: issued.refreshToken ?? "" });
    expect(emulator.accessTokenState(reveal(next.accessToken))).toBe("active");
    expect(emulator.accessTokenState(issued.accessToken)).toBe("rotated");
    const oldToken = await client.info(issued.accessToken).catch((e: unknown) => e);
    expect(oldToken).toBeInstanceOf(InvalidTokenError);
    const reused = await client
      .refresh({ refreshToken: issued.refreshToken ?? "" })
      .catch((e: unknown) => e);
    // A 400 invalid grant, or the 401 oauthError Miro documents: both end the grant.
    expect(reused instanceof InvalidGrantError || reused instanceof ClientAuthError).toBe(true);
    expect(
      findLeaks(errorSurfaces(reused), [issued.refreshToken ?? "", env.MIRO_CLIENT_SECRET ?? ""]),
    ).toEqual([]);
    const revoked = await client.revoke(next.accessToken);
    expect(revoked.endpoint).toBe("v2");
    await client.dispose();
  });

  it("stops answering after dispose()", async () => {
    const issued = emulator.issueTokens();
    const client = createTokenClient({ baseUrl: emulator.baseUrl });
    await client.dispose();
    await expect(client.info(issued.accessToken)).rejects.toBeDefined();
  });
});
