import { describe, expect, it } from "vitest";
import { jsonOf, run } from "./CliHarness.ts";
import { emulatorPerFile } from "./EmulatorPerFile.ts";
import { writeTempFile } from "./TempFiles.ts";

const emulator = emulatorPerFile();

const envFor = (token: string) => ({
  MIRO_API_BASE_URL: emulator.baseUrl,
  MIRO_ACCESS_TOKEN: token,
});

describe("info", () => {
  it("prints aligned facts and exits 0 for an active token", async () => {
    const { accessToken } = emulator.issueTokens();
    const result = await run(["info"], { env: envFor(accessToken) });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^token {9}[0-9a-f]{8} \(fingerprint\)$/m);
    expect(result.stdout).toMatch(/^state {9}active$/m);
    expect(result.stdout).toMatch(/^user {10}Emulated User \(\d+\)$/m);
    expect(result.stdout).toMatch(/^scopes {8}boards:read boards:write$/m);
    expect(result.stdout).toMatch(/^rate limit {4}\d+ of 100000 credits left, resets /m);
    expect(result.stdout).not.toContain(accessToken);
    expect(result.stdout).not.toContain("\u001b[");
  });

  it("prints one JSON document with --json", async () => {
    const { accessToken } = emulator.issueTokens({ scopes: ["boards:read"] });
    const result = await run(["info", "--json"], { env: envFor(accessToken) });
    expect(result.exitCode).toBe(0);
    const doc = jsonOf(result);
    expect(doc).toMatchObject({ ok: true, command: "info", state: "active" });
    expect((doc.info as { scopes: Array<string> }).scopes).toEqual(["boards:read"]);
    expect((doc.rateLimit as { limit: number }).limit).toBe(100_000);
    expect((doc.token as { fingerprint: string }).fingerprint).toMatch(/^[0-9a-f]{8}$/);
  });

  it("colours human output only on a terminal without NO_COLOR", async () => {
    const { accessToken } = emulator.issueTokens();
    const tty = await run(["info"], { env: envFor(accessToken), stdoutIsTerminal: true });
    expect(tty.stdout).toContain("\u001b[32mactive\u001b[39m");
    const noColor = await run(["info"], {
      env: { ...envFor(accessToken), NO_COLOR: "1" },
      stdoutIsTerminal: true,
    });
    expect(noColor.stdout).not.toContain("\u001b[");
  });

  it("exits 3 with an InvalidTokenError document for a revoked token", async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.revokeAccess(accessToken);
    const result = await run(["info", "--json"], { env: envFor(accessToken) });
    expect(result.exitCode).toBe(3);
    expect(jsonOf(result)).toMatchObject({
      ok: false,
      error: { tag: "InvalidTokenError", status: 400 },
      exitCode: 3,
    });
  });

  it("exits 3 for an expired token, with the message on stderr", async () => {
    const { accessToken } = emulator.issueTokens({ accessTokenTtlSeconds: 1 });
    emulator.clock.advance(5_000);
    const result = await run(["info"], { env: envFor(accessToken) });
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe("");
    // Miro documents a bare 400 here, no code that says "expired".
    expect(result.stderr).toContain("InvalidTokenError");
  });

  it("reads the token from --token-file, stripping one trailing newline", async () => {
    const { accessToken } = emulator.issueTokens();
    const file = await writeTempFile(`${accessToken}\n`);
    const result = await run(["info", "--token-file", file, "--json"], {
      env: { MIRO_API_BASE_URL: emulator.baseUrl },
    });
    expect(result.exitCode).toBe(0);
  });

  it("reads the token from stdin with a lone - and with --token-file -", async () => {
    const { accessToken } = emulator.issueTokens();
    const env = { MIRO_API_BASE_URL: emulator.baseUrl };
    expect((await run(["info", "-"], { env, stdin: `${accessToken}\r\n` })).exitCode).toBe(0);
    expect((await run(["info", "--token-file", "-"], { env, stdin: accessToken })).exitCode).toBe(
      0,
    );
  });

  it("prefers --token-file over MIRO_ACCESS_TOKEN", async () => {
    const { accessToken } = emulator.issueTokens();
    const file = await writeTempFile(accessToken);
    const result = await run(["info", "--token-file", file], { env: envFor("not-a-valid-token") });
    expect(result.exitCode).toBe(0);
  });

  it("exits 5 when Miro is unreachable", async () => {
    const result = await run(["info", "--json", "--retries", "0"], {
      env: { MIRO_API_BASE_URL: "http://127.0.0.1:1", MIRO_ACCESS_TOKEN: "some-token" },
    });
    expect(result.exitCode).toBe(5);
    expect(jsonOf(result)).toMatchObject({ ok: false, error: { tag: "TransportError" } });
  });

  it("retries a 429 and succeeds", async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.queueFault("token-info", {
      kind: "status",
      status: 429,
      headers: { "retry-after": "0" },
    });
    const result = await run(["info", "--json", "--verbose"], { env: envFor(accessToken) });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/v1\/oauth-token -> 429/);
    expect(result.stderr).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/v1\/oauth-token -> 200/);
  });

  it("exits 5 with RateLimitedError when 429 persists", async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.queueFault(
      "token-info",
      { kind: "status", status: 429, headers: { "retry-after": "0" } },
      3,
    );
    const result = await run(["info", "--json", "--retries", "1"], { env: envFor(accessToken) });
    expect(result.exitCode).toBe(5);
    expect(jsonOf(result)).toMatchObject({ error: { tag: "RateLimitedError", status: 429 } });
    emulator.clearFaults();
  });

  it("exits 1 when Miro answers something undocumented", async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.queueFault("token-info", { kind: "status", status: 418 });
    const result = await run(["info", "--json"], { env: envFor(accessToken) });
    expect(result.exitCode).toBe(1);
    expect(jsonOf(result)).toMatchObject({ error: { tag: "UnexpectedStatusError", status: 418 } });
  });

  it("works over every transport", async () => {
    for (const transport of ["node", "undici", "fetch", "ky"]) {
      const { accessToken } = emulator.issueTokens();
      const result = await run(["info", "--transport", transport, "--json"], {
        env: envFor(accessToken),
      });
      expect(result.exitCode, transport).toBe(0);
    }
  });
});
