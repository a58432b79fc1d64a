/**
 * The watcher in-process against the emulator over real loopback HTTP: the endpoints, the
 * NDJSON log, tokens added to and removed from the store while running, refresh ahead of
 * expiry, revocation noticed within one probe interval, a 429 storm, and a token file that
 * turns corrupt while running (quarantined, by name, without flapping).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canaryToken, findLeaks } from "@miro-token/testkit";
import { Redacted } from "effect";
import { describe, expect, it } from "vitest";
import {
  cleanupsAfterEach,
  deleteToken,
  getJson,
  issueAndStore,
  readStore,
  startSyncedEmulator,
  startTestWatcher,
  statesOf,
  type TestWatcher,
  type TokensDocument,
  tempDir,
  tokenSetOf,
  waitFor,
  writeTokens,
} from "./Fixtures.ts";

const cleanups = cleanupsAfterEach();

const setup = async (
  count: number,
  options: Parameters<typeof startTestWatcher>[2] = {},
  emulatorOptions: Parameters<typeof startSyncedEmulator>[0] = {},
) => {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  const { emulator, stop } = await startSyncedEmulator(emulatorOptions);
  cleanups.push(stop);
  const issued = await issueAndStore(emulator, dir.path, count);
  const watcher = await startTestWatcher(emulator, dir.path, options);
  cleanups.push(() => watcher.close().then(() => undefined));
  return { dir: dir.path, emulator, issued, watcher };
};

const fileOf = (id: string) => `${Buffer.from(id).toString("base64url")}.token.json`;

const allIn = async (watcher: TestWatcher, state: string, ids: ReadonlyArray<string>) => {
  const states = await statesOf(watcher.url);
  return ids.every((id) => states[id] === state) && states;
};

describe("endpoints and the event log", () => {
  it("serves /healthz, /tokens (no secrets) and logs one NDJSON line per change", async () => {
    const { watcher, issued } = await setup(3);
    const ids = issued.map((t) => t.id);
    // Listed at start, before any probe: Pending.
    const first = await getJson<TokensDocument>(`${watcher.url}/tokens`);
    expect(first.count).toBe(3);
    expect(first.tokens.map((t) => t.id)).toEqual(ids);

    await waitFor("all Active", () => allIn(watcher, "Active", ids));
    const health = await fetch(`${watcher.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", tokens: 3 });

    const doc = await getJson<TokensDocument>(`${watcher.url}/tokens`);
    expect(doc.byState).toEqual({ Active: 3 });
    for (const row of doc.tokens) {
      expect(row.fingerprint).toMatch(/^[0-9a-f]{8,}$/);
      expect(row.generation).toBe(1);
      expect(Date.parse(row.expiresAt!)).toBeGreaterThan(Date.now());
    }
    const body = JSON.stringify(doc);
    for (const t of issued) {
      expect(body).not.toContain(t.accessToken.slice(-20));
      expect(body).not.toContain(t.refreshToken!.slice(-20));
    }

    const events = watcher.events();
    expect(events[0]).toMatchObject({ event: "listening", port: watcher.port, tokens: 3 });
    const statusLines = events.filter((e) => e.event === "status");
    expect(
      statusLines
        .filter((e) => e.state === "Active")
        .map((e) => e.id)
        .sort(),
    ).toEqual(ids);
    for (const line of statusLines) {
      expect(Object.keys(line).sort()).toEqual(
        ["event", "expiresAt", "fingerprint", "generation", "id", "reason", "state", "time"].sort(),
      );
      expect(Number.isNaN(Date.parse(line.time as string))).toBe(false);
    }
    // A status is logged only when it changes: after several probe intervals, still one line per token.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(watcher.events().filter((e) => e.event === "status")).toHaveLength(3);

    expect((await fetch(`${watcher.url}/nope`)).status).toBe(404);
    const post = await fetch(`${watcher.url}/tokens`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("picks up tokens added to and removed from the store while running", async () => {
    const { watcher, emulator, dir } = await setup(1, { watch: { rescanInterval: 100 } });
    await waitFor("token-0 Active", () => allIn(watcher, "Active", ["token-0"]));
    const added = emulator.issueTokens();
    await writeTokens(dir, [{ id: "late", tokenSet: tokenSetOf(added, emulator.clock.now()) }]);
    await waitFor("late Active", () => allIn(watcher, "Active", ["token-0", "late"]));

    await deleteToken(dir, "token-0");
    await waitFor("token-0 gone", async () => {
      const doc = await getJson<TokensDocument>(`${watcher.url}/tokens`);
      return doc.count === 1 && doc.tokens[0]!.id === "late";
    });
    const stopped = watcher.events().find((e) => e.id === "token-0" && e.state === "Stopped");
    expect(stopped?.reason).toBe("removed from the token store");
  });

  it("refreshes ahead of expiry on the emulator clock, and persists the new pair", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const { emulator, stop } = await startSyncedEmulator({ accessTokenTtlSeconds: 3 });
    cleanups.push(stop);
    const issued = await issueAndStore(emulator, dir.path, 2);
    const expiresAt = emulator.clock.now() + issued[0]!.expiresIn! * 1000;
    const watcher = await startTestWatcher(emulator, dir.path, {
      watch: { interval: 200, jitter: 0, refreshWindow: 1_000, refreshJitter: 0 },
    });
    cleanups.push(() => watcher.close().then(() => undefined));

    await waitFor(
      "both refreshed",
      () =>
        allIn(watcher, "Active", ["token-0", "token-1"]).then(
          async (ok) =>
            ok &&
            (await getJson<TokensDocument>(`${watcher.url}/tokens`)).tokens.every(
              (t) => t.generation === 2,
            ),
        ),
      8_000,
    );
    const refreshes = emulator.requests.filter((r) => r.route === "token" && r.status === 200);
    expect(refreshes).toHaveLength(2);
    for (const r of refreshes) expect(r.time).toBeLessThan(expiresAt);
    // Never probed an expired token.
    expect(emulator.requests.filter((r) => r.status === 400)).toHaveLength(0);
    for (const t of issued) {
      expect(emulator.accessTokenState(t.accessToken)).toBe("rotated");
    }
    const stored = await readStore(dir.path);
    for (const entry of stored) {
      expect(entry.generation).toBe(2);
      expect(emulator.refreshTokenState(Redacted.value(entry.tokenSet.refreshToken!))).toBe(
        "active",
      );
      expect(emulator.accessTokenState(Redacted.value(entry.tokenSet.accessToken))).toBe("active");
    }
    const states = watcher
      .events()
      .filter((e) => e.id === "token-0")
      .map((e) => e.state);
    expect(states).toEqual(["Active", "Expiring", "Refreshing", "Refreshed", "Active"]);
  });

  it("shows a token revoked behind the watcher's back as dead within one probe interval", async () => {
    const interval = 300;
    const { watcher, emulator, issued } = await setup(3, { watch: { interval, jitter: 0 } });
    const ids = issued.map((t) => t.id);
    await waitFor("all Active", () => allIn(watcher, "Active", ids));
    const revokedAt = Date.now();
    emulator.revokeAccess(issued[1]!.accessToken);
    // Miro's rejection of a token that has a refresh token leads to one refresh, which Miro
    // refuses too (revoking killed the refresh token): ReauthorizeRequired, never a loop.
    const dead = "ReauthorizeRequired";
    await waitFor("token-1 dead", async () => (await statesOf(watcher.url))["token-1"] === dead);
    const line = watcher.events().find((e) => e.id === "token-1" && e.state === dead)!;
    // One interval, plus the one refresh (a request and a store write) and the scheduling slack
    // of a loaded CI machine.
    expect(Date.parse(line.time as string) - revokedAt).toBeLessThanOrEqual(interval + 600);
    expect(line.reason).toBe("ClientAuthError (oauthError)");
    expect(emulator.requests.filter((r) => r.route === "token")).toHaveLength(1);
    const states = await statesOf(watcher.url);
    expect(states).toEqual({ "token-0": "Active", "token-1": dead, "token-2": "Active" });
    // A terminal token is not probed again.
    const probesOf1 = () =>
      emulator.requests.filter((r) => r.route === "token-info" && r.status === 400).length;
    const before = probesOf1();
    await new Promise((resolve) => setTimeout(resolve, 3 * interval));
    expect(probesOf1()).toBe(before);
  });

  it("slows probing down in a 429 storm instead of failing tokens", async () => {
    const interval = 100;
    const { watcher, emulator, issued } = await setup(4, {
      watch: { interval, jitter: 0 },
      miro: { retry: { limit: 1 } },
    });
    const ids = issued.map((t) => t.id);
    await waitFor("all Active", () => allIn(watcher, "Active", ids));
    const probes = () => emulator.requests.filter((r) => r.route === "token-info").length;

    // Calm: every token probed about every interval.
    const calmStart = probes();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const calm = probes() - calmStart;
    expect(calm).toBeGreaterThanOrEqual(ids.length * 5);

    // Storm: every probe answered 429 with Retry-After: 1.
    emulator.queueFault(
      "token-info",
      { kind: "status", status: 429, headers: { "retry-after": "1" } },
      100_000,
    );
    await waitFor("RateLimited shown", async () =>
      Object.values(await statesOf(watcher.url)).includes("RateLimited"),
    );
    const stormStart = probes();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const storm = probes() - stormStart;
    // At most about one probe per token per Retry-After second (2 s), against ~20 when calm.
    expect(storm).toBeLessThanOrEqual(ids.length * 3);
    expect(storm * 4).toBeLessThan(calm * 2);
    const during = await statesOf(watcher.url);
    for (const id of ids) expect(["RateLimited", "Active"]).toContain(during[id]);

    emulator.clearFaults();
    await waitFor("all Active again", () => allIn(watcher, "Active", ids), 5_000);
    const terminal = watcher
      .events()
      .filter((e) =>
        ["Invalid", "ReauthorizeRequired", "Revoked", "Stopped"].includes(e.state as string),
      );
    expect(terminal).toEqual([]);
  });

  it("a token file corrupted while running is quarantined by name: /healthz degraded, no flapping, back once mended", async () => {
    const { dir, emulator, issued, watcher } = await setup(3, {
      watch: { interval: 100, jitter: 0, rescanInterval: 100 },
    });
    await waitFor("all Active", () =>
      allIn(
        watcher,
        "Active",
        issued.map((t) => t.id),
      ),
    );

    const path = join(dir, fileOf("token-1"));
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
