import { mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FileTokenStore } from "@miro-token/store-file";
import { findLeaks } from "@miro-token/testkit";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { jsonOf, type RunResult, run } from "./CliHarness.ts";
import { emulatorPerFile } from "./EmulatorPerFile.ts";
import { emulatorEnv, tokenResponseOf } from "./Fixtures.ts";
import { tempPath } from "./TempFiles.ts";

const emulator = emulatorPerFile();

/** A store directory holding one issued token under `id`. */
const storeWith = async (id: string) => {
  const store = tempPath("store");
  const tokens = emulator.issueTokens();
  const added = await run(["store", "add", "--store", store, "--id", id], {
    stdin: tokenResponseOf(tokens),
  });
  expect(added.exitCode).toBe(0);
  return { store, tokens };
};

const idsIn = async (store: string) =>
  (
    jsonOf(await run(["store", "list", "--store", store, "--json"])) as {
      tokens: Array<{ id: string }>;
    }
  ).tokens.map((t) => t.id);

const leaksOf = (result: RunResult, secrets: ReadonlyArray<string>) =>
  findLeaks(`${result.stdout}\n${result.stderr}`, secrets);

describe("store revoke", () => {
  it("revokes the stored token (and its refresh token) at Miro, then removes the entry", async () => {
    const { store, tokens } = await storeWith("alice");
    const result = await run(["store", "revoke", "--store", store, "--id", "alice", "--json"], {
      env: emulatorEnv(emulator),
    });
    expect(result.exitCode).toBe(0);
    expect(jsonOf(result)).toMatchObject({
      ok: true,
      command: "store revoke",
      id: "alice",
      generation: 1,
      revoked: true,
      endpoint: "v2",
      alreadyRevoked: false,
      removed: true,
    });
    expect(emulator.accessTokenState(tokens.accessToken)).toBe("revoked");
    expect(emulator.refreshTokenState(tokens.refreshToken!)).toBe("revoked");
    expect(await idsIn(store)).toEqual([]);
    const secrets = [
      tokens.accessToken,
      tokens.refreshToken!,
      emulatorEnv(emulator).MIRO_CLIENT_SECRET!,
    ];
    expect(leaksOf(result, secrets)).toEqual([]);
    // The revoke went in the request body, never in a URL.
    const revokes = emulator.requests.filter((r) => r.route === "revoke-v2");
    expect(revokes.at(-1)?.secretsInUrl).toBe(false);
  });

  it("prints aligned human output with the fingerprint only", async () => {
    const { store, tokens } = await storeWith("bob");
    const result = await run(["store", "revoke", "--store", store, "--id", "bob"], {
      env: emulatorEnv(emulator),
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^revoked {3}bob$/m);
    expect(result.stdout).toMatch(/^token {5}[0-9a-f]{8} \(fingerprint\)$/m);
    expect(result.stdout).toMatch(/^state {5}revoked at Miro$/m);
    expect(result.stdout).toMatch(/^store {5}entry removed$/m);
    expect(leaksOf(result, [tokens.accessToken, tokens.refreshToken!])).toEqual([]);
  });

  it("waits for the entry's lock, as held by a watcher refreshing it, before revoking", async () => {
    const { store, tokens } = await storeWith("gina");
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = Effect.runPromise(
      Effect.flatMap(FileTokenStore.make({ directory: store }), (other) =>
        other.withLock(
          "gina",
          Effect.andThen(
            Effect.sync(() => locked()),
            Effect.promise(() => released),
          ),
        ),
      ),
    );
    await isLocked;
    const revoking = run(["store", "revoke", "--store", store, "--id", "gina"], {
      env: emulatorEnv(emulator),
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(emulator.accessTokenState(tokens.accessToken)).toBe("active");
    release();
    await holder;
    expect((await revoking).exitCode).toBe(0);
    expect(emulator.accessTokenState(tokens.accessToken)).toBe("revoked");
    expect(await idsIn(store)).toEqual([]);
  });

  it("a token already dead at Miro is confirmed by token info, then removed", async () => {
    const { store, tokens } = await storeWith("carol");
    emulator.revokeAccess(tokens.accessToken);
    const result = await run(["store", "revoke", "--store", store, "--id", "carol", "--json"], {
      env: emulatorEnv(emulator),
    });
    expect(result.exitCode).toBe(0);
    expect(jsonOf(result)).toMatchObject({ alreadyRevoked: true, removed: true });
    expect(await idsIn(store)).toEqual([]);
  });

  it("Miro unavailable (echoing the token back): exit 5, the entry kept, nothing leaked", async () => {
    const { store, tokens } = await storeWith("dave");
    emulator.queueFault(
      "revoke-v2",
      { kind: "status", status: 503, body: `${tokens.accessToken} ${tokens.refreshToken}` },
      3,
    );
    for (const mode of [[], ["--json"], ["--verbose"]]) {
      const argv = ["store", "revoke", "--store", store, "--id", "dave", "--retries", "0"];
      const result = await run([...argv, ...mode], {
        env: emulatorEnv(emulator),
      });
      expect(result.exitCode).toBe(5);
      expect(await idsIn(store)).toEqual(["dave"]);
      expect(emulator.accessTokenState(tokens.accessToken)).toBe("active");
      const secrets = [
        tokens.accessToken,
        tokens.refreshToken!,
        emulatorEnv(emulator).MIRO_CLIENT_SECRET!,
      ];
      expect(leaksOf(result, secrets)).toEqual([]);
    }
  });

  it("the store failing after Miro revoked: exit 1, says to run it again, which finishes", async () => {
    const { store, tokens } = await storeWith("grace");
    const [entry] = readdirSync(store).filter((name) => name.endsWith(".token.json"));
    const path = join(store, entry ?? "missing");
    const text = readFileSync(path, "utf8");
    // The revoke is held 1.5 s at Miro; meanwhile the entry file becomes a directory, which
    // the store cannot unlink (even as root): the removal after the revoke fails.
    emulator.queueFault("revoke-v2", { kind: "delay", ms: 1_500 });
    const before = emulator.requests.filter((r) => r.route === "revoke-v2").length;
    const running = run(["store", "revoke", "--store", store, "--id", "grace"], {
      env: emulatorEnv(emulator),
    });
    while (emulator.requests.filter((r) => r.route === "revoke-v2").length === before) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    rmSync(path);
    mkdirSync(path);
    const failed = await running;
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toMatch(/run .*again/i);
    expect(emulator.accessTokenState(tokens.accessToken)).toBe("revoked");
    const secrets = [tokens.accessToken, tokens.refreshToken!];
    expect(leaksOf(failed, [...secrets, emulatorEnv(emulator).MIRO_CLIENT_SECRET!])).toEqual([]);
    // The store mended, the same command confirms the token dead and removes the entry.
    rmdirSync(path);
    writeFileSync(path, text, { mode: 0o600 });
    const again = await run(["store", "revoke", "--store", store, "--id", "grace", "--json"], {
      env: emulatorEnv(emulator),
    });
    expect(again.exitCode).toBe(0);
    expect(jsonOf(again)).toMatchObject({ alreadyRevoked: true, removed: true });
    expect(await idsIn(store)).toEqual([]);
  });

  it("Miro refusing a live token (wrong client secret): exit 4, the entry kept", async () => {
    const { store, tokens } = await storeWith("erin");
    const result = await run(["store", "revoke", "--store", store, "--id", "erin", "--json"], {
      env: { ...emulatorEnv(emulator), MIRO_CLIENT_SECRET: "not-the-secret-of-this-app" },
    });
    expect(result.exitCode).toBe(4);
    expect(jsonOf(result)).toMatchObject({ ok: false, error: { tag: "RevokeRejectedError" } });
    expect(await idsIn(store)).toEqual(["erin"]);
    expect(emulator.accessTokenState(tokens.accessToken)).toBe("active");
  });

  it("usage: no credentials, an unknown id or a bad id is exit 2, the store untouched", async () => {
    const { store } = await storeWith("frank");
    const noCredentials = await run(["store", "revoke", "--store", store, "--id", "frank"], {
      env: { MIRO_API_BASE_URL: emulator.baseUrl },
    });
    expect(noCredentials.exitCode).toBe(2);
    expect(noCredentials.stderr).toContain("MissingCredentialsError");
    const unknown = await run(["store", "revoke", "--store", store, "--id", "nobody", "--json"], {
      env: emulatorEnv(emulator),
    });
    expect(unknown.exitCode).toBe(2);
    expect(jsonOf(unknown)).toMatchObject({ error: { tag: "StoreEntryNotFoundError" } });
    const badId = await run(["store", "revoke", "--store", store, "--id", "has space"], {
      env: emulatorEnv(emulator),
    });
    expect(badId.exitCode).toBe(2);
    const noId = await run(["store", "revoke", "--store", store], { env: emulatorEnv(emulator) });
    expect(noId.exitCode).toBe(2);
    expect(await idsIn(store)).toEqual(["frank"]);
  });
});
