// Store commands with a keyring from the environment (never argv): `store add` seals, a sealed
// store without a keyring is a usage error naming the key id, `store rekey` moves every record
// to the current key (then the old key can go), a record whose key is missing is named with
// exit 1, a bad keyring is exit 2 — and no token or key bytes in any output.
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { findLeaks } from "@miro-token/testkit";
import { describe, expect, it } from "vitest";
import { jsonOf, type RunResult, run } from "./CliHarness.ts";
import { emulatorPerFile } from "./EmulatorPerFile.ts";
import { tokenResponseOf } from "./Fixtures.ts";
import { tempPath, writeTempFile } from "./TempFiles.ts";

const emulator = emulatorPerFile();

const keys = { k1: randomBytes(32).toString("base64"), k2: randomBytes(32).toString("base64") };
const keyringJson = (current: string, ids: ReadonlyArray<"k1" | "k2">) =>
  JSON.stringify({ current, keys: Object.fromEntries(ids.map((id) => [id, keys[id]])) });
const keyMaterial = Object.values(keys).flatMap((key) => [
  key,
  Buffer.from(key, "base64").toString("hex"),
]);

const directoryText = async (store: string) =>
  (
    await Promise.all((await readdir(store)).map((name) => readFile(join(store, name), "utf8")))
  ).join("\n");

const output = (result: RunResult) => `${result.stdout}\n${result.stderr}\n${result.display}`;

describe("store rekey and the store keyring", () => {
  it("add seals; without the keyring exit 2 names the key; rekey to k2; k1 removed", async () => {
    const store = tempPath("store");
    const tokens = emulator.issueTokens();
    const secrets = [tokens.accessToken, tokens.refreshToken!, ...keyMaterial];
    const file = await writeTempFile(keyringJson("k1", ["k1"]));
    const added = await run(["store", "add", "--store", store, "--id", "alice"], {
      stdin: tokenResponseOf(tokens),
      env: { MIRO_TOKEN_STORE_KEYS_FILE: file },
    });
    expect(added.exitCode).toBe(0);
    expect(findLeaks(await directoryText(store), secrets)).toEqual([]);

    const locked = await run(["store", "list", "--store", store, "--json"]);
    expect(locked.exitCode).toBe(2);
    expect(jsonOf(locked)).toMatchObject({ error: { tag: "UsageError" } });
    expect(locked.stdout).toContain('key id \\"k1\\"');

    const rotating = { MIRO_TOKEN_STORE_KEYS: keyringJson("k2", ["k1", "k2"]) };
    const rekeyed = await run(["store", "rekey", "--store", store, "--json"], { env: rotating });
    expect(rekeyed.exitCode).toBe(0);
    expect(jsonOf(rekeyed)).toMatchObject({
      ok: true,
      command: "store rekey",
      current: "k2",
      rekeyed: 1,
    });
    const human = await run(["store", "rekey", "--store", store], { env: rotating });
    expect(human.stdout).toMatch(/^current key +k2$/m);
    expect(human.stdout).toMatch(/^re-sealed +0$/m);

    const listed = await run(["store", "list", "--store", store, "--json"], {
      env: { MIRO_TOKEN_STORE_KEYS: keyringJson("k2", ["k2"]) },
    });
    expect(listed.exitCode).toBe(0);
    expect(jsonOf(listed)).toMatchObject({ tokens: [{ id: "alice", generation: 2 }] });
    for (const result of [added, locked, rekeyed, human, listed]) {
      expect(findLeaks(output(result), secrets)).toEqual([]);
    }
  });

  it("a record whose key is missing: exit 1, named by id and key id, left as it was", async () => {
    const store = tempPath("store");
    const tokens = emulator.issueTokens();
    await run(["store", "add", "--store", store, "--id", "orphan"], {
      stdin: tokenResponseOf(tokens),
      env: { MIRO_TOKEN_STORE_KEYS: keyringJson("k1", ["k1"]) },
    });
    const before = await directoryText(store);
    const result = await run(["store", "rekey", "--store", store, "--json"], {
      env: { MIRO_TOKEN_STORE_KEYS: keyringJson("k2", ["k2"]) },
    });
    expect(result.exitCode).toBe(1);
    expect(jsonOf(result)).toMatchObject({ error: { tag: "StoreError" } });
    expect(result.stdout).toMatch(/orphan: KeyMissing: sealed with key \\"k1\\"/);
    expect(await directoryText(store)).toBe(before);
    expect(
      findLeaks(output(result), [tokens.accessToken, tokens.refreshToken!, ...keyMaterial]),
    ).toEqual([]);
  });

  it("no keyring, or a bad one: exit 2 with what to fix, never the key", async () => {
    const store = tempPath("store");
    const none = await run(["store", "rekey", "--store", store]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain("store rekey needs a keyring");
    const short = JSON.stringify({ current: "k1", keys: { k1: keys.k1.slice(8) } });
    const bad = await run(["store", "list", "--store", store, "--json"], {
      env: { MIRO_TOKEN_STORE_KEYS: short },
    });
    expect(bad.exitCode).toBe(2);
    expect(bad.stdout).toContain('key \\"k1\\" is not the base64 of 32 bytes');
    expect(findLeaks(output(bad), [keys.k1.slice(8), ...keyMaterial])).toEqual([]);
  });
});
