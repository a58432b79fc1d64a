// `miro-token revoke` in process against the emulator: v2 with client credentials (env and
// --client-secret-file), --verify, already-dead tokens, wrong credentials, and v1 without
// credentials (deprecation warning; retired endpoint).
import { type Emulator, startEmulator } from "@miro-token/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonOf, run } from "./CliHarness.ts";
import { writeTempFile } from "./TempFiles.ts";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emulator.close();
});

const credentials = () => ({
  MIRO_API_BASE_URL: emulator.baseUrl,
  MIRO_CLIENT_ID: emulator.seed!.client.clientId,
  MIRO_CLIENT_SECRET: emulator.seed!.client.clientSecret,
});

describe("revoke", () => {
  it("revokes through v2 with client credentials and --verify proves it", async () => {
    const { accessToken, refreshToken } = emulator.issueTokens();
    const result = await run(["revoke", "--verify", "--json"], {
      env: { ...credentials(), MIRO_ACCESS_TOKEN: accessToken },
    });
    expect(result.exitCode).toBe(0);
    expect(jsonOf(result)).toMatchObject({
      ok: true,
      command: "revoke",
      revoked: true,
      endpoint: "v2",
      deprecated: false,
      verified: true,
    });
    expect(result.stderr).toBe("");
    expect(emulator.accessTokenState(accessToken)).toBe("revoked");
    expect(emulator.refreshTokenState(refreshToken!)).toBe("revoked");
  });

  it("prints aligned human output", async () => {
    const { accessToken } = emulator.issueTokens();
    const result = await run(["revoke"], {
      env: { ...credentials(), MIRO_ACCESS_TOKEN: accessToken },
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^state {5}revoked$/m);
    expect(result.stdout).toMatch(/^verified {2}not checked \(use --verify\)$/m);
  });

  it("reads the client secret from --client-secret-file", async () => {
    const { accessToken } = emulator.issueTokens();
    const secretFile = await writeTempFile(`${emulator.seed!.client.clientSecret}\n`);
    const result = await run(
      [
        "revoke",
        "--client-id",
        emulator.seed!.client.clientId,
        "--client-secret-file",
        secretFile,
        "--json",
      ],
      { env: { MIRO_API_BASE_URL: emulator.baseUrl, MIRO_ACCESS_TOKEN: accessToken } },
    );
    expect(result.exitCode).toBe(0);
    expect(jsonOf(result)).toMatchObject({ endpoint: "v2" });
  });

  it("exits 4 when Miro refuses to revoke an unknown token", async () => {
    const result = await run(["revoke", "--json"], {
      env: {
        ...credentials(),
        MIRO_ACCESS_TOKEN: "eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_unknownunknownunknownunknow",
      },
    });
    expect(result.exitCode).toBe(4);
    expect(jsonOf(result)).toMatchObject({ error: { tag: "RevokeRejectedError", status: 404 } });
  });

  it("exits 4 with ClientAuthError for a wrong client secret", async () => {
    const { accessToken } = emulator.issueTokens();
    const result = await run(["revoke", "--json"], {
      env: { ...credentials(), MIRO_CLIENT_SECRET: "wrong-secret", MIRO_ACCESS_TOKEN: accessToken },
    });
    expect(result.exitCode).toBe(4);
    expect(jsonOf(result)).toMatchObject({ error: { tag: "ClientAuthError", status: 401 } });
    expect(emulator.accessTokenState(accessToken)).toBe("active");
  });

  it("revokes through the deprecated v1 without credentials, warning on stderr", async () => {
    const { accessToken } = emulator.issueTokens();
    const result = await run(["revoke", "--json", "--verify"], {
      env: { MIRO_API_BASE_URL: emulator.baseUrl, MIRO_ACCESS_TOKEN: accessToken },
    });
    expect(result.stderr).toContain("deprecated POST /v1/oauth/revoke");
    expect(result.exitCode).toBe(0);
    expect(jsonOf(result)).toMatchObject({ endpoint: "v1", deprecated: true, verified: true });
    expect(emulator.accessTokenState(accessToken)).toBe("revoked");
  });

  it("--verify exits 4 when Miro says revoked but the token still works", async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.queueFault("revoke-v2", { kind: "status", status: 204, body: "" });
    const result = await run(["revoke", "--verify", "--json"], {
      env: { ...credentials(), MIRO_ACCESS_TOKEN: accessToken },
    });
    expect(result.exitCode).toBe(4);
    expect(jsonOf(result)).toMatchObject({ ok: false, error: { tag: "RevokeNotEffectiveError" } });
    expect(emulator.accessTokenState(accessToken)).toBe("active");
  });

  it("exits 4 with RevokeEndpointGoneError when v1 is retired", async () => {
    const gone = await startEmulator({ port: 0, v1Revoke: "gone" });
    try {
      const { accessToken } = gone.issueTokens();
      const result = await run(["revoke", "--json"], {
        env: { MIRO_API_BASE_URL: gone.baseUrl, MIRO_ACCESS_TOKEN: accessToken },
      });
      expect(result.exitCode).toBe(4);
      expect(jsonOf(result)).toMatchObject({ error: { tag: "RevokeEndpointGoneError" } });
    } finally {
      await gone.close();
    }
  });

  it("exits 5 when revoke keeps failing with 503", async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.queueFault(
      "revoke-v2",
      { kind: "status", status: 503, headers: { "retry-after": "0" } },
      3,
    );
    const result = await run(["revoke", "--json"], {
      env: { ...credentials(), MIRO_ACCESS_TOKEN: accessToken },
    });
    expect(result.exitCode).toBe(5);
    expect(jsonOf(result)).toMatchObject({ error: { tag: "ServerError", status: 503 } });
    emulator.clearFaults();
  });
});
