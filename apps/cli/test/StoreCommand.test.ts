// `miro-token store list|add|remove` in process over a real store directory.
import { chmod, chown, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonOf, run } from "./CliHarness.ts";
import { emulatorPerFile } from "./EmulatorPerFile.ts";
import { emulatorEnv, tokenResponseOf } from "./Fixtures.ts";
import { tempPath } from "./TempFiles.ts";

const emulator = emulatorPerFile();

describe("store", () => {
  it("a store's warnings go to stderr: --json keeps stdout to one document", async () => {
    const store = tempPath("store");
    const added = await run(["store", "add", "--store", store, "--id", "alice"], {
      stdin: tokenResponseOf(emulator.issueTokens()),
    });
    expect(added.exitCode).toBe(0);
    const [file] = (await readdir(store)).filter((name) => name.endsWith(".token.json"));
    await chmod(join(store, file!), 0o644);
    const listed = await run(["store", "list", "--store", store, "--json"]);
    expect(listed.exitCode).toBe(0);
    expect(jsonOf(listed)).toMatchObject({ ok: true, command: "store list" });
    expect(listed.stderr).toContain("had mode 644; set to 600");
  });

  it("adds from stdin, lists without tokens, removes", async () => {
    const store = tempPath("store");
    const tokens = emulator.issueTokens();
    const added = await run(["store", "add", "--store", store, "--id", "alice", "--json"], {
      stdin: tokenResponseOf(tokens),
    });
    expect(added.exitCode).toBe(0);
    expect(jsonOf(added)).toMatchObject({
      ok: true,
      token: { id: "alice", generation: 1, refreshable: true },
    });

    const listed = await run(["store", "list", "--store", store, "--json"]);
    expect(listed.exitCode).toBe(0);
    const doc = jsonOf(listed) as { tokens: Array<Record<string, unknown>> };
    expect(doc.tokens).toHaveLength(1);
    expect(doc.tokens[0]).toMatchObject({ id: "alice", state: "active", generation: 1 });
    expect(listed.stdout).not.toContain(tokens.accessToken);
    expect(listed.stdout).not.toContain(tokens.refreshToken!);

    const human = await run(["store", "list", "--store", store]);
    expect(human.stdout).toMatch(/^ID {5}FINGERPRINT {2}GEN {2}EXPIRES/m);
    expect(human.stdout).toMatch(
      /^alice {2}[0-9a-f]{8} {5}1 {4}\S+ \(in \d+m \d+s\) {2}active {2}yes$/m,
    );

    const info = await stat(store);
    expect(info.mode & 0o777).toBe(0o700);
    for (const file of await readdir(store)) {
      expect((await stat(join(store, file))).mode & 0o777).toBe(0o600);
    }

    const removed = await run(["store", "remove", "--store", store, "--id", "alice"]);
    expect(removed.exitCode).toBe(0);
    expect(removed.stdout).toBe("removed alice");
    expect((await run(["store", "list", "--store", store])).stdout).toBe("(the store is empty)");
  });

  it("defaults the id to the user id and refuses a duplicate", async () => {
    const store = tempPath("store");
    const tokens = emulator.issueTokens();
    expect(
      (await run(["store", "add", "--store", store], { stdin: tokenResponseOf(tokens) })).exitCode,
    ).toBe(0);
    const listed = jsonOf(await run(["store", "list", "--store", store, "--json"])) as {
      tokens: Array<{ id: string }>;
    };
    expect(listed.tokens[0]?.id).toBe(tokens.userId);
    const again = await run(["store", "add", "--store", store, "--json"], {
      stdin: tokenResponseOf(tokens),
    });
    expect(again.exitCode).toBe(2);
    expect(jsonOf(again)).toMatchObject({ error: { tag: "UsageError" } });
  });

  it("marks expired and non-expiring entries", async () => {
    const store = tempPath("store");
    const forever = emulator.issueTokens({ expiring: false });
    await run(["store", "add", "--store", store, "--id", "forever"], {
      stdin: tokenResponseOf(forever),
    });
    const old = emulator.issueTokens();
    const expiredDoc = JSON.stringify({ ...JSON.parse(tokenResponseOf(old)), expires_at: 1_000 });
    await run(["store", "add", "--store", store, "--id", "old"], { stdin: expiredDoc });
    const doc = jsonOf(await run(["store", "list", "--store", store, "--json"])) as {
      tokens: Array<{ id: string; state: string; refreshable: boolean }>;
    };
    expect(doc.tokens).toEqual([
      expect.objectContaining({ id: "forever", state: "non-expiring", refreshable: false }),
      expect.objectContaining({ id: "old", state: "expired", refreshable: true }),
    ]);
  });

  it.each([
    ["not JSON", "eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_secretsecretsecretsecre"],
    [
      "JSON without access_token",
      '{"refresh_token":"eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_secretsecretsecretsecre"}',
    ],
    [
      "a token with a space",
      '{"access_token":"eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_secret secretsecretsecre"}',
    ],
    ["empty stdin", ""],
  ])("refuses %s on stdin with exit 2 and no echo", async (_name, stdin) => {
    const result = await run(["store", "add", "--store", tempPath("store"), "--json"], { stdin });
    expect(result.exitCode).toBe(2);
    expect(result.stdout + result.stderr).not.toContain("secretsecret");
  });

  it("exits 2 removing an unknown id, and for a bad id", async () => {
    const store = tempPath("store");
    const missing = await run(["store", "remove", "--store", store, "--id", "nobody", "--json"]);
    expect(missing.exitCode).toBe(2);
    expect(jsonOf(missing)).toMatchObject({ error: { tag: "StoreEntryNotFoundError" } });
    expect((await run(["store", "remove", "--store", store, "--id", "has space"])).exitCode).toBe(
      2,
    );
  });

  it("requires a subcommand and --store", async () => {
    expect((await run(["store"])).exitCode).toBe(2);
    expect((await run(["store", "list"])).exitCode).toBe(2);
  });

  it("exits 1 with a StoreError when the store path is a file", async () => {
    const file = tempPath("file");
    await run(["store", "add", "--store", tempPath("x"), "--id", "a"], { stdin: "{}" });
    await import("node:fs/promises").then((fs) => fs.writeFile(file, "not a directory"));
    const result = await run(["store", "list", "--store", file, "--json"]);
    expect(result.exitCode).toBe(1);
    expect(jsonOf(result)).toMatchObject({ error: { tag: "StoreError" } });
  });

  it("never writes a token into the list output even when asked for JSON", async () => {
    const store = tempPath("store");
    const tokens = emulator.issueTokens();
    await run(["store", "add", "--store", store, "--id", "t"], { stdin: tokenResponseOf(tokens) });
    const files = await readdir(store);
    const onDisk = await readFile(join(store, files.find((f) => f.endsWith(".json"))!), "utf8");
    expect(onDisk).toContain(tokens.accessToken);
    const listed = await run(["store", "list", "--store", store, "--json"], {
      env: emulatorEnv(emulator),
    });
    expect(listed.stdout).not.toContain(tokens.accessToken.slice(-16));
  });

  it("refuses a store others can write or another user owns (exit 2), unless --insecure-store-permissions", async () => {
    const store = tempPath("store");
    const tokens = emulator.issueTokens();
    const added = await run(["store", "add", "--store", store, "--id", "alice"], {
      stdin: tokenResponseOf(tokens),
    });
    expect(added.exitCode).toBe(0);
    await chmod(store, 0o777);
    const refused = await run(["store", "list", "--store", store]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(`store directory ${store} has mode 777`);
    expect(refused.stderr).toContain(`chmod 700 ${store}`);
    expect(refused.stderr).not.toMatch(/set to 700|\n\s+at /);
    expect((await stat(store)).mode & 0o777).toBe(0o777);
    const json = await run(["store", "list", "--store", store, "--json"]);
    expect(json.exitCode).toBe(2);
    expect(jsonOf(json)).toMatchObject({ ok: false });

    const accepted = await run(["store", "list", "--store", store, "--insecure-store-permissions"]);
    expect(accepted.exitCode).toBe(0);
    expect(accepted.stdout).toContain("alice");
    expect((await stat(store)).mode & 0o777).toBe(0o777);

    await chmod(store, 0o700);
    await chown(store, 65534, 65534);
    const foreign = await run(["refresh", "--store", store], { env: emulatorEnv(emulator) });
    expect(foreign.exitCode).toBe(2);
    expect(foreign.stderr).toContain("is owned by uid 65534");
  });
});
