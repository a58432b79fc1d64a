// `miro-token revoke` in process against the emulator: v2 with client credentials (env and
// --client-secret-file), --verify, already-dead tokens, wrong credentials, and v1 without
// credentials (deprecation warning; retired endpoint).
import { startEmulator } from "@miro-token/emulator";
import { describe, expect, it } from "vitest";
import { jsonOf, run } from "./CliHarness.ts";
import { emulatorPerFile } from "./EmulatorPerFile.ts";
import { writeTempFile } from "./TempFiles.ts";

const emulator = emulatorPerFile();

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

  it("exits 4 for a wrong client secret, whether Miro answers 404 (documented) or 401", async () => {
    for (const [variant, tag, status] of [
      ["404", "RevokeRejectedError", 404],
      ["400-401-404", "ClientAuthError", 401],
    ] as const) {
      emulator.configure({ variants: { v2RevokeFailure: variant } });
      const { accessToken } = emulator.issueTokens();
      const result = await run(["revoke", "--json"], {
        env: {
          ...credentials(),
          MIRO_CLIENT_SECRET: "wrong-secret",
          MIRO_ACCESS_TOKEN: accessToken,
        },
      });
      expect(result.exitCode).toBe(4);
      expect(jsonOf(result)).toMatchObject({ error: { tag, status } });
      expect(emulator.accessTokenState(accessToken)).toBe("active");
    }
    emulator.configure({ variants: { v2RevokeFailure: "404" } });
  });

  it("without credentials: exit 2 asking for them, nothing sent to v1", async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.clearRequests();
    const result = await run(["revoke", "--json"], {
      env: { MIRO_API_BASE_URL: emulator.baseUrl, MIRO_ACCESS_TOKEN: accessToken },
    });
    expect(result.exitCode).toBe(2);
    expect(jsonOf(result)).toMatchObject({ error: { tag: "MissingCredentialsError" } });
    expect(emulator.requests).toEqual([]);
    expect(emulator.accessTokenState(accessToken)).toBe("active");
  });

  it("--allow-v1-revoke: v1 with the token in the query, a warning saying so, no URL printed", async () => {
    const { accessToken } = emulator.issueTokens();
    const result = await run(["revoke", "--json", "--verify", "--allow-v1-revoke", "--verbose"], {
      env: { MIRO_API_BASE_URL: emulator.baseUrl, MIRO_ACCESS_TOKEN: accessToken },
    });
    expect(result.stderr).toContain("deprecated POST /v1/oauth/revoke");
    expect(result.stderr).toContain("token in the URL");
    expect(result.exitCode).toBe(0);
    expect(jsonOf(result)).toMatchObject({ endpoint: "v1", deprecated: true, verified: true });
    expect(emulator.accessTokenState(accessToken)).toBe("revoked");
    // The URL carried the token; our own output never shows it (nor the query).
    expect(`${result.stdout}${result.stderr}`).not.toContain(accessToken);
    expect(`${result.stdout}${result.stderr}`).not.toContain("access_token=");
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
      const result = await run(["revoke", "--json", "--allow-v1-revoke"], {
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
