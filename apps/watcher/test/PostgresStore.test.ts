// The watcher binary on a postgres:// store, against a throwaway PostgreSQL of this file's own
// (store-postgres's provisioner, as the CLI's PostgresStore test uses it) and the emulator:
// tokens added with the store API show on /tokens; an unmigrated database stops it with exit 2
// naming `miro-token store migrate`; a URL with a password on argv is refused (exit 2); the
// password reaches the database from PGPASSWORD, MIRO_TOKEN_STORE_URL or --store-url-file, and
// never shows in stdout, stderr, /tokens, /metrics, /healthz or the page — not even when the
// password is wrong or the database is down.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { URL_PASSWORD_ON_ARGV } from "@miro-token/core/internal";
import type { Emulator } from "@miro-token/emulator";
import { PostgresTokenStore } from "@miro-token/store-postgres";
import { Effect, Redacted } from "effect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  findServerBin,
  type PostgresCluster,
  startCluster,
} from "../../../packages/store-postgres/test/provision/PostgresCluster.ts";
import {
  getJson,
  startSyncedEmulator,
  type TokensDocument,
  tempDir,
  tokenSetOf,
  waitFor,
} from "./Fixtures.ts";
import { spawnWatcher, type WatcherRun } from "./WatcherProcess.ts";

let cluster: PostgresCluster;
let emulator: Emulator;
let stopEmulator: () => Promise<void>;
const files = tempDir("watcher-pg-");
const runs: Array<WatcherRun> = [];
/** Everything any watcher said or served, for the canary. */
const seen: Array<string> = [];

beforeAll(async () => {
  let synced: Awaited<ReturnType<typeof startSyncedEmulator>>;
  [cluster, synced] = await Promise.all([startCluster(), startSyncedEmulator()]);
  ({ emulator, stop: stopEmulator } = synced);
  const bin = findServerBin()!;
  for (const database of ["migrated", "unmigrated"]) {
    execFileSync(join(bin, "createdb"), ["-h", "127.0.0.1", "-p", `${cluster.port}`, database], {
      env: { PGUSER: "postgres", PGPASSWORD: cluster.password },
    });
  }
  await Effect.runPromise(
    PostgresTokenStore.migrate({ url: Redacted.make(cluster.urlOf("migrated")) }),
  );
}, 120_000);
afterEach(() => {
  for (const r of runs.splice(0)) {
    seen.push(r.stdout(), r.stderr());
    if (r.child.exitCode === null) r.child.kill("SIGKILL");
  }
});
afterAll(async () => {
  // The canary: no password anywhere a watcher wrote or served.
  const all = seen.join("\n");
  expect(all.length).toBeGreaterThan(0);
  expect(all).not.toContain(cluster.password);
  expect(all).not.toContain(encodeURIComponent(cluster.password));
  expect(all).not.toContain(WRONG_PASSWORD);
  cluster?.stop();
  await stopEmulator?.();
  files.cleanup();
});

const WRONG_PASSWORD = randomBytes(18).toString("base64url");

/** The URL of `database` without a password (what may stand on argv). */
const bare = (database: string, port = cluster.port) =>
  `postgres://postgres@127.0.0.1:${port}/${database}`;

const run = (store: ReadonlyArray<string>, env: Record<string, string>): WatcherRun => {
  const r = spawnWatcher(
    [...store, "--port", "0", "--base-url", emulator.baseUrl, "--interval", "200ms"],
    env,
  );
  runs.push(r);
  return r;
};

/** The port of the `listening` line, once it is printed. */
const portOf = (r: WatcherRun) =>
  waitFor(
    "listening line",
    () => {
      const first = r.stdout().split("\n")[0];
      return first?.endsWith("}") ? (JSON.parse(first) as { port: number }).port : undefined;
    },
    30_000,
  );

/** Store freshly issued tokens under `ids` with the store API (generation 1 each). */
const addTokens = (ids: ReadonlyArray<string>) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* PostgresTokenStore.make({
          url: Redacted.make(cluster.urlOf("migrated")),
        });
        for (const id of ids) {
          const written = yield* store.compareAndSet(
            id,
            0,
            tokenSetOf(emulator.issueTokens(), emulator.clock.now()),
          );
          if (written._tag !== "Written") return yield* Effect.die(`could not write ${id}`);
        }
      }),
    ),
  );

/** Every HTTP surface of a running watcher, as text (kept for the canary). */
const surfaces = async (port: number): Promise<string> => {
  const base = `http://127.0.0.1:${port}`;
  const texts = await Promise.all(
    ["/tokens", "/metrics", "/healthz", "/"].map(async (path) => (await fetch(base + path)).text()),
  );
  const text = texts.join("\n");
  seen.push(text);
  return text;
};

const statesOf = async (port: number) => {
  const doc = await getJson<TokensDocument>(`http://127.0.0.1:${port}/tokens`);
  return Object.fromEntries(doc.tokens.map((t) => [t.id, t.state]));
};

const stop = async (r: WatcherRun) => {
  r.child.kill("SIGTERM");
  return (await r.exit).code;
};

/** A loopback port nothing listens on. */
const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 1));
    });
  });

describe("miro-token-watcher --store postgres://", () => {
  it("an unmigrated database: exit 2, naming the migrate command", async () => {
    const r = run(["--store", bare("unmigrated")], { PGPASSWORD: cluster.password });
    expect((await r.exit).code).toBe(2);
    expect(r.stderr()).toContain(`miro-token store migrate --store ${bare("unmigrated")}`);
  }, 60_000);

  it("a URL with a password on argv: exit 2 before anything connects", async () => {
    const r = run(["--store", cluster.urlOf("migrated")], {});
    expect((await r.exit).code).toBe(2);
    expect(r.stderr()).toContain(URL_PASSWORD_ON_ARGV);
    expect(r.stderr()).toContain("PGPASSWORD");
  }, 60_000);

  it("watches tokens added with the store API and shows them on /tokens; the password shows nowhere, outage included", async () => {
    const r = run(["--store", bare("migrated")], { PGPASSWORD: cluster.password });
    const port = await portOf(r);
    await addTokens(["alice", "bob"]);
    await waitFor("alice and bob Active on /tokens", async () => {
      const states = await statesOf(port);
      return states.alice === "Active" && states.bob === "Active";
    });
    expect(await surfaces(port)).toContain("alice");
    cluster.stopServer();
    try {
      // Sample every surface while the database is down (what the watcher reports then is the
      // fleet's business; here only that the password never shows).
      let samples = 0;
      await waitFor("samples during the outage", async () => {
        await surfaces(port);
        return ++samples >= 10;
      });
    } finally {
      cluster.startServer();
    }
    expect(await stop(r)).toBe(0);
  }, 90_000);

  it("the password from PGPASSWORD, MIRO_TOKEN_STORE_URL or --store-url-file reaches the database", async () => {
    await addTokens(["carol"]);
    const urlFile = join(files.path, "store-url");
    writeFileSync(urlFile, `${cluster.urlOf("migrated")}\n`, { mode: 0o600 });
    const ways: ReadonlyArray<[ReadonlyArray<string>, Record<string, string>]> = [
      [["--store", bare("migrated")], { PGPASSWORD: cluster.password }],
      [[], { MIRO_TOKEN_STORE_URL: cluster.urlOf("migrated") }],
      [["--store-url-file", urlFile], {}],
    ];
    for (const [store, env] of ways) {
      const r = run(store, env);
      const port = await portOf(r);
      await waitFor("carol on /tokens", async () => (await statesOf(port)).carol !== undefined);
      expect(await stop(r)).toBe(0);
    }
  }, 90_000);

  it("a wrong password, or a database that is down: exit 2 with a message, never the password", async () => {
    const wrong = run(["--store", bare("migrated")], { PGPASSWORD: WRONG_PASSWORD });
    expect((await wrong.exit).code).toBe(2);
    expect(wrong.stderr()).toContain("cannot open the token store");
    const down = run(["--store", bare("migrated", await closedPort())], {
      PGPASSWORD: cluster.password,
    });
    expect((await down.exit).code).toBe(2);
    expect(down.stderr()).toContain("cannot open the token store");
  }, 90_000);
});
