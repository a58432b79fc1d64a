/**
 * A token file that turns corrupt while the watcher runs: its token is quarantined (its own
 * state, the file named, its bytes nowhere), `/healthz` says "degraded" with a count, it does
 * not flap between Unreachable and Active, every other token keeps being watched, and once the
 * file reads again the token is watched again.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canaryToken, findLeaks } from "@miro-token/testkit";
import { afterEach, describe, expect, it } from "vitest";
import {
  getJson,
  issueAndStore,
  startSyncedEmulator,
  startTestWatcher,
  statesOf,
  type TokensDocument,
  tempDir,
  waitFor,
} from "./Fixtures.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const fileOf = (id: string) => `${Buffer.from(id).toString("base64url")}.token.json`;

describe("a token file that turns corrupt while running", () => {
  it("is quarantined by name, degrades /healthz, does not flap, and recovers when mended", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const { emulator, stop } = await startSyncedEmulator();
    cleanups.push(stop);
    await issueAndStore(emulator, dir.path, 3);
    const watcher = await startTestWatcher(emulator, dir.path, {
      watch: { interval: 100, jitter: 0, rescanInterval: 100 },
    });
    cleanups.push(() => watcher.close().then(() => undefined));
    const ids = ["token-0", "token-1", "token-2"];
    await waitFor("all Active", async () => {
      const states = await statesOf(watcher.url);
      return ids.every((id) => states[id] === "Active");
    });

    const path = join(dir.path, fileOf("token-1"));
    const original = readFileSync(path, "utf8");
    const secret = canaryToken();
    writeFileSync(path, `{"accessToken":"${secret}"`);
    const quarantinedAt = await waitFor("token-1 Quarantined", async () => {
      const doc = await getJson<TokensDocument>(`${watcher.url}/tokens`);
      return doc.byState.Quarantined === 1 ? doc : undefined;
    });
    expect(quarantinedAt.tokens.find((t) => t.id === "token-1")).toMatchObject({
      state: "Quarantined",
      file: fileOf("token-1"),
      reason: `unreadable store entry: corrupt token file ${fileOf("token-1")} (not JSON)`,
    });
    const degraded = await fetch(`${watcher.url}/healthz`);
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toMatchObject({ status: "degraded", quarantined: 1 });

    // Several probe rounds later it is still Quarantined, and the others are still Active.
    const probes = emulator.requests.filter((req) => req.route === "token-info").length;
    await waitFor(
      "more probe rounds",
      () => emulator.requests.filter((req) => req.route === "token-info").length >= probes + 8,
    );
    expect(await statesOf(watcher.url)).toEqual({
      "token-0": "Active",
      "token-1": "Quarantined",
      "token-2": "Active",
    });
    const afterQuarantine = watcher
      .events()
      .filter((e) => e.id === "token-1")
      .map((e) => e.state);
    expect(afterQuarantine.slice(afterQuarantine.indexOf("Quarantined"))).toEqual(["Quarantined"]);

    writeFileSync(path, original);
    await waitFor(
      "token-1 Active again",
      async () => (await statesOf(watcher.url))["token-1"] === "Active",
    );
    const healthy = await fetch(`${watcher.url}/healthz`);
    expect(await healthy.json()).toMatchObject({ status: "ok" });
    expect(findLeaks(watcher.lines.join("\n"), [secret])).toEqual([]);
  });
});
