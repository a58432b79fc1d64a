// `miro-token refresh` in process: a store entry through the refresh protocol, a plain
// token-set file rewritten atomically, and every refusal (exit 2) and Miro rejection (exit 4).
import { lstat, readdir, readFile, readlink, stat, symlink } from "node:fs/promises";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonOf, run } from "./CliHarness.ts";
import { emulatorPerFile } from "./EmulatorPerFile.ts";
import { emulatorEnv, tokenResponseOf } from "./Fixtures.ts";
import { tempPath, writeTempFile } from "./TempFiles.ts";

const emulator = emulatorPerFile();

const storeWith = async (...entries: ReadonlyArray<readonly [string, string]>) => {
  const store = tempPath("store");
  for (const [id, document] of entries) {
    const added = await run(["store", "add", "--store", store, "--id", id], { stdin: document });
    expect(added.exitCode).toBe(0);
  }
  return store;
};

describe("refresh --store", () => {
  it("rotates the pair, persists generation 2 and prints only the fingerprint", async () => {
    const tokens = emulator.issueTokens();
    const store = await storeWith(["alice", tokenResponseOf(tokens)]);
    const result = await run(["refresh", "--store", store, "--json"], {
      env: emulatorEnv(emulator),
    });
    expect(result.exitCode).toBe(0);
    const doc = jsonOf(result);
    expect(doc).toMatchObject({ ok: true, command: "refresh", id: "alice", generation: 2 });
    expect(doc.accessToken).toBeUndefined();
    expect(doc.expiresIn).toBeGreaterThan(3500);
    expect(emulator.accessTokenState(tokens.accessToken)).toBe("rotated");
    expect(emulator.refreshTokenState(tokens.refreshToken!)).toBe("rotated");
    const listed = jsonOf(await run(["store", "list", "--store", store, "--json"])) as {
      tokens: Array<{ generation: number; fingerprint: string }>;
    };
    expect(listed.tokens[0]?.generation).toBe(2);
    expect(listed.tokens[0]?.fingerprint).toBe((doc.token as { fingerprint: string }).fingerprint);
  });

  it("prints the new access token only with --show-token", async () => {
    const store = await storeWith(["bob", tokenResponseOf(emulator.issueTokens())]);
    const result = await run(["refresh", "--store", store, "--id", "bob", "--show-token"], {
      env: emulatorEnv(emulator),
    });
    expect(result.exitCode).toBe(0);
    const shown = /^access token {2}(\S+)$/m.exec(result.stdout)?.[1];
    expect(shown).toBeDefined();
    expect(emulator.accessTokenState(shown!)).toBe("active");
    expect(result.stdout).toMatch(/^generation {4}2$/m);
  });

  it("needs --id when the store holds several tokens, and exits 2 for an unknown id", async () => {
    const store = await storeWith(
      ["a", tokenResponseOf(emulator.issueTokens())],
      ["b", tokenResponseOf(emulator.issueTokens())],
    );
    const ambiguous = await run(["refresh", "--store", store, "--json"], {
      env: emulatorEnv(emulator),
    });
    expect(ambiguous.exitCode).toBe(2);
    expect(jsonOf(ambiguous)).toMatchObject({
      error: { tag: "UsageError", hint: expect.stringContaining("--id") },
    });
    const unknown = await run(["refresh", "--store", store, "--id", "zed", "--json"], {
      env: emulatorEnv(emulator),
    });
    expect(unknown.exitCode).toBe(2);
    expect(jsonOf(unknown)).toMatchObject({ error: { tag: "StoreEntryNotFoundError" } });
    const empty = await run(["refresh", "--store", tempPath("empty")], {
      env: emulatorEnv(emulator),
    });
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toContain("the store is empty");
  });

  it("exits 2 for a non-expiring token (nothing to refresh)", async () => {
    const store = await storeWith([
      "f",
      tokenResponseOf(emulator.issueTokens({ expiring: false })),
    ]);
    const result = await run(["refresh", "--store", store], { env: emulatorEnv(emulator) });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("no refresh token");
  });

  it("exits 4 when Miro rejects the grant, as a 400 invalid grant or its documented 401", async () => {
    for (const [tokenFailure, tag, status] of [
      ["400-invalidGrant", "ReauthorizeRequiredError", 400],
      // Miro documents one token-endpoint failure, 401 oauthError: the grant or the client.
      ["401", "ClientAuthError", 401],
    ] as const) {
      emulator.configure({ variants: { tokenFailure } });
      const tokens = emulator.issueTokens();
      const store = await storeWith([`c-${status}`, tokenResponseOf(tokens)]);
      emulator.revokeAccess(tokens.accessToken);
      const result = await run(["refresh", "--store", store, "--json"], {
        env: emulatorEnv(emulator),
      });
      expect(result.exitCode).toBe(4);
      expect(jsonOf(result)).toMatchObject({ error: { tag, status } });
    }
    emulator.configure({ variants: { tokenFailure: "401" } });
  });

  it("exits 4 with wrong client credentials and leaves the store alone", async () => {
    const tokens = emulator.issueTokens();
    const store = await storeWith(["d", tokenResponseOf(tokens)]);
    const result = await run(["refresh", "--store", store, "--json"], {
      env: { ...emulatorEnv(emulator), MIRO_CLIENT_SECRET: "wrong" },
    });
    expect(result.exitCode).toBe(4);
    expect(emulator.refreshTokenState(tokens.refreshToken!)).toBe("active");
  });

  it("exits 2 without client credentials", async () => {
    const store = await storeWith(["e", tokenResponseOf(emulator.issueTokens())]);
    const result = await run(["refresh", "--store", store, "--json"], {
      env: { MIRO_API_BASE_URL: emulator.baseUrl },
    });
    expect(result.exitCode).toBe(2);
    expect(jsonOf(result)).toMatchObject({ error: { tag: "MissingCredentialsError" } });
  });

  it("exits 2 unless exactly one of --store and --token-set is given", async () => {
    expect((await run(["refresh"])).exitCode).toBe(2);
    expect((await run(["refresh", "--store", "a", "--token-set", "b"])).exitCode).toBe(2);
  });
});

describe("refresh --token-set", () => {
  it("rewrites the file atomically with the new pair, mode 0600, no temp file left", async () => {
    const tokens = emulator.issueTokens();
    const file = await writeTempFile(tokenResponseOf(tokens));
    const result = await run(["refresh", "--token-set", file, "--json"], {
      env: emulatorEnv(emulator),
    });
    expect(result.exitCode).toBe(0);
    expect(jsonOf(result)).toMatchObject({ ok: true, id: null, generation: 2 });
    const written = JSON.parse(await readFile(file, "utf8")) as {
      access_token: string;
      refresh_token: string;
      expires_at: number;
    };
    expect(written.access_token).not.toBe(tokens.accessToken);
    expect(emulator.accessTokenState(written.access_token)).toBe("active");
    expect(emulator.refreshTokenState(written.refresh_token)).toBe("active");
    expect(written.expires_at).toBeGreaterThan(Date.now());
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readdir(dirname(file))).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    // The rewritten file refreshes again.
    expect(
      (await run(["refresh", "--token-set", file], { env: emulatorEnv(emulator) })).exitCode,
    ).toBe(0);
  });

  it("leaves the file untouched and no temp file when Miro rejects the grant", async () => {
    const tokens = emulator.issueTokens();
    emulator.revokeAccess(tokens.accessToken);
    const file = await writeTempFile(tokenResponseOf(tokens));
    const before = await readFile(file, "utf8");
    const result = await run(["refresh", "--token-set", file], { env: emulatorEnv(emulator) });
    expect(result.exitCode).toBe(4);
    expect(await readFile(file, "utf8")).toBe(before);
    expect((await readdir(dirname(file))).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("refuses a file that is not a token response, without echoing it", async () => {
    const file = await writeTempFile(
      "eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_leakleakleakleakleakleakleak\n",
    );
    const result = await run(["refresh", "--token-set", file], { env: emulatorEnv(emulator) });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).not.toContain("leakleak");
  });

  it("refuses a symbolic link (exit 2): the link and its target are untouched", async () => {
    const tokens = emulator.issueTokens();
    const target = await writeTempFile(tokenResponseOf(tokens));
    const link = tempPath("link");
    await symlink(target, link);
    const before = await readFile(target, "utf8");
    const result = await run(["refresh", "--token-set", link], { env: emulatorEnv(emulator) });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("--token-set is a symbolic link; refused");
    expect(result.stderr).not.toContain(tokens.accessToken);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(target);
    expect(await readFile(target, "utf8")).toBe(before);
    expect(emulator.refreshTokenState(tokens.refreshToken!)).toBe("active");
    expect((await readdir(dirname(link))).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});
