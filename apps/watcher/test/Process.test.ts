/**
 * The binary as a real process (through its launcher, which runs the bundle the global setup
 * rebuilt from the sources): `--help`, configuration errors (exit 2, every problem listed, no
 * stack trace, no secret echoed), the port printed at start, and SIGTERM during an in-flight refresh: the
 * refresh finishes and is persisted, the process exits 0 within 5 s and the store is valid.
 * Every child runs under `timeout -k`.
 */
import { type ChildProcess, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FileTokenStore } from "@miro-token/store-file";
import { keyringFromEnv } from "@miro-token/store-file/crypto";
import { canaryToken, findLeaks } from "@miro-token/testkit";
import { Effect, Option, Redacted } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import packageJson from "../package.json" with { type: "json" };
import {
  getJson,
  issueAndStore,
  readStore,
  startSyncedEmulator,
  type TokensDocument,
  tempDir,
  waitFor,
} from "./Fixtures.ts";
import { spawnWatcher, type WatcherRun } from "./WatcherProcess.ts";

const children: Array<ChildProcess> = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Run = WatcherRun;

const run = (args: ReadonlyArray<string>, env: Record<string, string> = {}): Run => {
  const r = spawnWatcher(args, env);
  children.push(r.child);
  return r;
};

/** Flags for a watcher on a free port probing every 100 ms against `baseUrl`. */
const probingArgs = (store: string, baseUrl: string): Array<string> => [
  "--store",
  store,
  "--port",
  "0",
  "--base-url",
  baseUrl,
  "--interval",
  "100ms",
];

/** Flags for a watcher whose every token is due for refresh at once (window 60 s > ttl). */
const refreshDueArgs = (store: string, baseUrl: string, clientId: string): Array<string> => [
  ...probingArgs(store, baseUrl),
  "--refresh-window",
  "60s",
  "--client-id",
  clientId,
];

/** The first NDJSON line (`listening`), once it is printed. */
const listeningLine = (r: Run) =>
  waitFor("listening line", () => {
    const first = r.stdout().split("\n")[0];
    return first?.endsWith("}")
      ? (JSON.parse(first) as { event: string; port: number; quarantined: number })
      : undefined;
  });
describe("the miro-token-watcher process", () => {
  it("--version prints the version from package.json", async () => {
    const r = run(["--version"]);
    expect((await r.exit).code).toBe(0);
    expect(r.stdout()).toBe(`miro-token-watcher ${packageJson.version}\n`);
  });

  it("--help lists every flag with its environment variable", async () => {
    const r = run(["--help"]);
    expect((await r.exit).code).toBe(0);
    for (const flag of [
      "--store",
      "--port",
      "--base-url",
      "--interval",
      "--client-id",
      "--client-secret-file",
    ]) {
      expect(r.stdout()).toContain(flag);
    }
    expect(r.stdout()).toContain("MIRO_TOKEN_STORE");
  });

  it("rejects bad configuration with exit 2, every problem at once, no stack trace and no secret", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const secretFile = join(dir.path, "secret");
    writeFileSync(secretFile, "", { mode: 0o600 });
    const r = run(
      [
        "--port",
        "99999",
        "--interval",
        "soon",
        "--base-url",
        "ftp://x",
        "--client-id",
        "abc",
        "--client-secret-file",
        secretFile,
      ],
      { MIRO_WATCHER_CONCURRENCY: "0" },
    );
    expect((await r.exit).code).toBe(2);
    const err = r.stderr();
    expect(err).toContain("--store <dir|postgres://…> is required");
    expect(err).toContain("--port must be a whole number from 0 to 65535");
    expect(err).toContain("--interval must be a duration");
    expect(err).toContain("--base-url must be an http(s) URL");
    expect(err).toContain("MIRO_WATCHER_CONCURRENCY must be a whole number");
    expect(err).toContain("is empty");
    expect(err).not.toMatch(/\n\s+at /);
    expect(r.stdout()).toBe("");

    const secret = "s3cr3t-value-never-echoed";
    const refused = run(["--store", dir.path, `--client-secret=${secret}`]);
    expect((await refused.exit).code).toBe(2);
    expect(refused.stderr()).toContain("--client-secret is not an option");
    expect(refused.stderr()).not.toContain(secret.slice(0, 8));
    const unknown = run(["--store", dir.path, `--bogus=${secret}`]);
    expect((await unknown.exit).code).toBe(2);
    expect(unknown.stderr()).toContain("unknown option --bogus");
    expect(unknown.stderr()).not.toContain(secret.slice(0, 8));
  });

  it("a store's warnings go to stderr: stdout stays NDJSON", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const { emulator, stop } = await startSyncedEmulator();
    cleanups.push(stop);
    await issueAndStore(emulator, dir.path, 1);
    for (const name of readdirSync(dir.path)) chmodSync(join(dir.path, name), 0o644);
    const r = run(["--store", dir.path, "--port", "0", "--base-url", emulator.baseUrl]);
    await waitFor("listening", () => r.stderr().includes("listening on"));
    r.child.kill("SIGTERM");
    expect((await r.exit).code).toBe(0);
    expect(r.stderr()).toContain("had mode 644; set to 600");
    const lines = r.stdout().trim().split("\n");
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
  });

  it("refuses /dev/zero, a FIFO or a directory as the client secret file: exit 2 at once", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const fifo = join(dir.path, "fifo");
    execFileSync("mkfifo", [fifo]);
    const started = Date.now();
    const runs = ["/dev/zero", fifo, dir.path].map((file) =>
      run(["--store", dir.path, "--client-id", "app", "--client-secret-file", file]),
    );
    for (const r of runs) {
      expect((await r.exit).code).toBe(2);
      expect(r.stderr()).toContain("not a regular file");
    }
    // Start-up of the launcher and Node on the sources included (seconds on a loaded machine);
    // /dev/zero used to be read until memory ran out, a FIFO until a writer came.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("exits 2 with a clear message when the store is refused (writable by others), starts with --insecure-store-permissions", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    chmodSync(dir.path, 0o777);
    const r = run(["--store", dir.path, "--port", "0"]);
    expect((await r.exit).code).toBe(2);
    expect(r.stderr()).toContain(
      `cannot open the token store (permissions: store directory ${dir.path} has mode 777`,
    );
    expect(r.stderr()).toContain(`chmod 700 ${dir.path}`);
    expect(r.stderr()).not.toMatch(/set to 700|\n\s+at /);
    expect(statSync(dir.path).mode & 0o777).toBe(0o777);

    const accepted = run(["--store", dir.path, "--port", "0", "--insecure-store-permissions"]);
    // The signal handlers are in place once the listening message is on stderr.
    await waitFor("listening", () => accepted.stderr().includes("listening on"));
    accepted.child.kill("SIGTERM");
    expect((await accepted.exit).code).toBe(0);
    expect(statSync(dir.path).mode & 0o777).toBe(0o777);
  });

  it("starts over a store with one corrupt file: the others are watched, that one quarantined by name", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const { emulator, stop } = await startSyncedEmulator();
    cleanups.push(stop);
    await issueAndStore(emulator, dir.path, 2);
    // A torn document holding canary tokens: the file is named everywhere, its bytes nowhere.
    const secrets = [canaryToken(), canaryToken()];
    const file = `${Buffer.from("broken").toString("base64url")}.token.json`;
    writeFileSync(
      join(dir.path, file),
      `{"format":"miro-token/store-file","version":1,"id":"broken","tokenSet":{"accessToken":"${secrets[0]}","refreshToken":"${secrets[1]}"`,
      { mode: 0o600 },
    );
    const r = run(probingArgs(dir.path, emulator.baseUrl));
    const listening = await listeningLine(r);
    expect(listening).toMatchObject({ event: "listening", quarantined: 1 });
    const base = `http://127.0.0.1:${listening.port}`;
    const doc = await waitFor("both good tokens Active", async () => {
      const tokens = await getJson<TokensDocument>(`${base}/tokens`);
      return tokens.byState.Active === 2 ? tokens : undefined;
    });
    expect(doc.byState).toEqual({ Active: 2, Quarantined: 1 });
    expect(doc.tokens.find((t) => t.id === "broken")).toMatchObject({
      state: "Quarantined",
      file,
      reason: `unreadable store entry: corrupt token file ${file} (not JSON)`,
    });
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "degraded", quarantined: 1, tokens: 3 });
    // No flapping: over several more probe rounds of the good tokens, the quarantined one is
    // never reported in another state.
    const probes = emulator.requests.filter((req) => req.route === "token-info").length;
    await waitFor(
      "three more probe rounds",
      () => emulator.requests.filter((req) => req.route === "token-info").length >= probes + 6,
    );
    r.child.kill("SIGTERM");
    expect((await r.exit).code).toBe(0);
    const lines = r
      .stdout()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.id === "broken").map((l) => l.state)).toEqual(["Quarantined"]);
    const surfaces = `${r.stdout()}${r.stderr()}${JSON.stringify(doc)}`;
    expect(findLeaks(surfaces, secrets)).toEqual([]);
  });

  it("a sealed store needs its keyring (exit 2 naming the key id); a bad keyring is exit 2", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const key = randomBytes(32).toString("base64");
    const keysEnv = JSON.stringify({ current: "k1", keys: { k1: key } });
    const keyring = Option.getOrThrow(
      await Effect.runPromise(keyringFromEnv({ MIRO_TOKEN_STORE_KEYS: keysEnv })),
    );
    await Effect.runPromise(
      Effect.flatMap(FileTokenStore.make({ directory: dir.path, keyring }), (store) =>
        store.compareAndSet("alice", 0, { accessToken: Redacted.make("a"), scopes: [] }),
      ),
    );
    const locked = run(["--store", dir.path, "--port", "0"]);
    expect((await locked.exit).code).toBe(2);
    expect(locked.stderr()).toContain('KeyMissing: the store is encrypted (key id "k1")');
    const bad = run(["--store", dir.path, "--port", "0"], {
      MIRO_TOKEN_STORE_KEYS: JSON.stringify({ current: "k1", keys: { k1: key.slice(6) } }),
    });
    expect((await bad.exit).code).toBe(2);
    expect(bad.stderr()).toContain('key "k1" is not the base64 of 32 bytes');
    expect(bad.stderr()).not.toContain(key.slice(6, 20));
  });

  it("on SIGTERM during a refresh: the refresh is persisted, exit 0 within 5 s, the store is valid", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const { emulator, stop } = await startSyncedEmulator({ accessTokenTtlSeconds: 30 });
    cleanups.push(stop);
    const issued = await issueAndStore(emulator, dir.path, 2);
    const client = emulator.seed!.client;
    const secretFile = join(dir.path, "..", `${dir.path.split("/").at(-1)}.secret`);
    writeFileSync(secretFile, `${client.clientSecret}\n`, { mode: 0o600 });
    cleanups.push(() => writeFileSync(secretFile, ""));
    // Every refresh is due at once (window 60 s > ttl); the token endpoint answers after 1.5 s.
    emulator.queueFault("token", { kind: "delay", ms: 1_500 }, 2);
    const r = run([
      ...refreshDueArgs(dir.path, emulator.baseUrl, client.clientId),
      "--client-secret-file",
      secretFile,
    ]);
    const listening = await listeningLine(r);
    expect(listening.event).toBe("listening");
    expect(listening.port).toBeGreaterThan(0);
    const doc = await getJson<TokensDocument>(`http://127.0.0.1:${listening.port}/tokens`);
    expect(doc.count).toBe(2);

    await waitFor("a refresh in flight", () =>
      emulator.requests.some((req) => req.route === "token" && req.status === 0),
    );
    const signalledAt = Date.now();
    r.child.kill("SIGTERM");
    const exit = await r.exit;
    const took = Date.now() - signalledAt;
    expect(exit.code).toBe(0);
    expect(took).toBeLessThan(5_000);

    const lines = r
      .stdout()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toMatchObject({ event: "stopped", clean: true });
    expect(lines.some((l) => l.event === "stopping" && l.signal === "SIGTERM")).toBe(true);
    // The store reads back whole; every refresh that reached Miro was persisted, so every stored
    // refresh token is still valid at the emulator (none was rotated away and lost).
    const stored = await readStore(dir.path);
    expect(stored).toHaveLength(2);
    const refreshedAtMiro = emulator.requests.filter(
      (req) => req.route === "token" && req.status === 200,
    ).length;
    expect(refreshedAtMiro).toBeGreaterThanOrEqual(1);
    // (A token refreshed before the signal is due again at once, window 60 s > ttl 30 s, so it
    // may have been refreshed twice: count generations, not tokens.)
    const persisted = stored.reduce((sum, e) => sum + e.generation - 1, 0);
    expect(persisted).toBe(refreshedAtMiro);
    for (const entry of stored) {
      expect(emulator.refreshTokenState(Redacted.value(entry.tokenSet.refreshToken!))).toBe(
        "active",
      );
    }
    for (const t of issued) expect(r.stdout()).not.toContain(t.accessToken.slice(-16));
  });

  it("keeps serving when the reader of its stdout goes away (EPIPE), and still stops cleanly", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const { emulator, stop } = await startSyncedEmulator();
    cleanups.push(stop);
    await issueAndStore(emulator, dir.path, 2);
    const r = run(probingArgs(dir.path, emulator.baseUrl));
    const { port } = await listeningLine(r);
    r.child.stdout!.destroy();
    // Status lines are written after the reader left (first probes within one interval).
    await waitFor("both Active", async () => {
      const doc = await getJson<TokensDocument>(`http://127.0.0.1:${port}/tokens`);
      return doc.byState.Active === 2;
    });
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    r.child.kill("SIGTERM");
    expect((await r.exit).code).toBe(0);
    expect(r.stderr()).not.toMatch(/EPIPE|\n\s+at /);
  });

  it("bounds the shutdown: a refresh still in flight after --shutdown-timeout is abandoned, exit 1, store readable", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const { emulator, stop } = await startSyncedEmulator({ accessTokenTtlSeconds: 30 });
    cleanups.push(stop);
    await issueAndStore(emulator, dir.path, 1);
    const client = emulator.seed!.client;
    emulator.queueFault("token", { kind: "delay", ms: 4_000 });
    const r = run(
      [
        ...refreshDueArgs(dir.path, emulator.baseUrl, client.clientId),
        "--shutdown-timeout",
        "300ms",
      ],
      { MIRO_CLIENT_SECRET: client.clientSecret },
    );
    await waitFor("a refresh in flight", () =>
      emulator.requests.some((req) => req.route === "token" && req.status === 0),
    );
    const signalledAt = Date.now();
    r.child.kill("SIGTERM");
    expect((await r.exit).code).toBe(1);
    expect(Date.now() - signalledAt).toBeLessThan(2_000);
    const last = JSON.parse(r.stdout().trim().split("\n").at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({ event: "stopped", clean: false });
    // Whatever the refresh's fate, the store reads back whole (generation 1: never persisted).
    const stored = await readStore(dir.path);
    expect(stored.map((e) => [e.id, e.generation])).toEqual([["token-0", 1]]);
  });
});
