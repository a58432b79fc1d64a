// `miro-token store …` on a postgres:// store, in process, against a throwaway PostgreSQL of
// this file's own (store-postgres's provisioner): an unmigrated database says what to run,
// `store migrate` applies and reports, add/list/remove work and reach a LISTEN/NOTIFY
// listener within 1 s, `store revoke` kills the token at the emulator and leaves a watcher
// fleet's view within 1 s, and the password — from PGPASSWORD, MIRO_TOKEN_STORE_URL or
// --store-url-file — never shows in any output; on argv it is refused (exit 2).

import { randomBytes } from "node:crypto";
import { startEmulator } from "@miro-token/emulator";
import { MIGRATIONS, PostgresFleet, PostgresTokenStore } from "@miro-token/store-postgres";
import { findLeaks } from "@miro-token/testkit";
import { Effect, Redacted } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  awaitListeners,
  follow,
  next,
} from "../../../packages/store-postgres/test/ChangeListeners.ts";
import {
  type PostgresCluster,
  startCluster,
} from "../../../packages/store-postgres/test/provision/PostgresCluster.ts";
import { jsonOf, type RunResult, run, runEffect } from "./CliHarness.ts";
import { emulatorEnv, tokenResponseOf } from "./Fixtures.ts";
import { writeTempFile } from "./TempFiles.ts";

let cluster: PostgresCluster;
let emulator: Awaited<ReturnType<typeof startEmulator>>;
beforeAll(async () => {
  [cluster, emulator] = await Promise.all([startCluster(), startEmulator({ port: 0 })]);
}, 120_000);
afterAll(async () => {
  cluster?.stop();
  await emulator?.close();
});

/** The URL without a password (what may stand on argv). */
const bare = () => `postgres://postgres@127.0.0.1:${cluster.port}/postgres`;
const env = () => ({ PGPASSWORD: cluster.password });
const said = (result: RunResult) => `${result.stdout}\n${result.stderr}`;

describe("store on PostgreSQL", () => {
  it("unmigrated: says what to run; store migrate applies once, then nothing", async () => {
    const listed = await run(["store", "list", "--store", bare()], { env: env() });
    expect(listed.exitCode).not.toBe(0);
    expect(said(listed)).toContain(`run \`miro-token store migrate --store ${bare()}\``);

    const first = await run(["store", "migrate", "--store", bare(), "--json"], { env: env() });
    expect(first.exitCode).toBe(0);
    expect(jsonOf(first)).toMatchObject({
      ok: true,
      command: "store migrate",
      target: bare(),
      from: 0,
      // Every migration the package has, in order (the fleet's included).
      applied: MIGRATIONS.map((m) => `${m.version}_${m.name}`),
    });
    expect(jsonOf(first).applied).toEqual(
      expect.arrayContaining(["1_tokens_and_leases", "2_refresh_intent", "3_webhook_outbox"]),
    );
    const again = await run(["store", "migrate", "--store", bare()], { env: env() });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain("nothing (up to date)");
    for (const result of [listed, first, again])
      expect(said(result)).not.toContain(cluster.password);
  });

  it("add, list and remove reach a listener within 1 s each", async () => {
    await run(["store", "migrate", "--store", bare()], { env: env() });
    const url = Redacted.make(cluster.urlOf("postgres"));
    const program = Effect.gen(function* () {
      const store = yield* PostgresTokenStore.make({ url });
      const seen = yield* follow(store);
      yield* awaitListeners(url);
      const cli = (argv: ReadonlyArray<string>, stdin?: string) =>
        runEffect(argv, { env: env(), ...(stdin === undefined ? {} : { stdin }) });

      const added = yield* cli(
        ["store", "add", "--store", bare(), "--id", "alice"],
        tokenResponseOf(emulator.issueTokens()),
      );
      expect(added.exitCode).toBe(0);
      expect(yield* next(seen)).toEqual({ _tag: "Written", id: "alice", generation: 1 });

      const listed = yield* cli(["store", "list", "--store", bare(), "--json"]);
      expect(jsonOf(listed)).toMatchObject({ tokens: [{ id: "alice" }] });

      const removed = yield* cli(["store", "remove", "--store", bare(), "--id", "alice"]);
      expect(removed.exitCode).toBe(0);
      expect(yield* next(seen)).toEqual({ _tag: "Deleted", id: "alice" });
    });
    await Effect.runPromise(Effect.scoped(program));
  });

  it("store revoke kills the token at Miro and leaves a fleet's view within 1 s", async () => {
    await run(["store", "migrate", "--store", bare()], { env: env() });
    const url = Redacted.make(cluster.urlOf("postgres"));
    const tokens = emulator.issueTokens();
    const program = Effect.gen(function* () {
      const cli = (argv: ReadonlyArray<string>, stdin?: string) =>
        runEffect(argv, {
          env: { ...env(), ...emulatorEnv(emulator) },
          ...(stdin === undefined ? {} : { stdin }),
        });
      const added = yield* cli(
        ["store", "add", "--store", bare(), "--id", "revoked-one"],
        tokenResponseOf(tokens),
      );
      expect(added.exitCode).toBe(0);
      // One replica of a watcher fleet on the same database, owning the token.
      const fleet = yield* PostgresFleet.make({ url }, { leaseTtl: 30_000, tickEvery: 30_000 });
      const seen = yield* follow(fleet.store);
      yield* awaitListeners(url);
      for (let i = 0; i < 100 && !fleet.membership.owns("revoked-one"); i++) {
        yield* Effect.sleep("20 millis");
      }
      expect(fleet.membership.owns("revoked-one")).toBe(true);

      const revoked = yield* cli([
        ...["store", "revoke", "--store", bare(), "--id", "revoked-one", "--json"],
      ]);
      expect(revoked.exitCode).toBe(0);
      expect(jsonOf(revoked)).toMatchObject({ command: "store revoke", removed: true });
      expect(yield* next(seen)).toEqual({ _tag: "Deleted", id: "revoked-one" });
      expect(emulator.accessTokenState(tokens.accessToken)).toBe("revoked");
      expect(emulator.refreshTokenState(tokens.refreshToken!)).toBe("revoked");
      const listed = yield* cli(["store", "list", "--store", bare(), "--json"]);
      expect(jsonOf(listed)).toMatchObject({ tokens: [] });
      const secrets = [tokens.accessToken, tokens.refreshToken!, cluster.password];
      expect(findLeaks(said(revoked), secrets)).toEqual([]);
    });
    await Effect.runPromise(Effect.scoped(program));
  });

  it("a password on argv is refused with exit 2, without echoing it", async () => {
    const withPassword = cluster.urlOf("postgres");
    for (const argv of [
      ["store", "list", "--store", withPassword],
      ["store", "migrate", `--store=${withPassword}`],
      ["watch", "--store", withPassword, "--once"],
    ]) {
      const refused = await run(argv);
      expect(refused.exitCode).toBe(2);
      expect(said(refused)).toContain("URL with a password");
      expect(said(refused)).toContain("PGPASSWORD");
      expect(said(refused)).not.toContain(cluster.password);
    }
  });

  it("the URL with its password from MIRO_TOKEN_STORE_URL or --store-url-file works", async () => {
    await run(["store", "migrate", "--store", bare()], { env: env() });
    const viaEnv = await run(["store", "list", "--json"], {
      env: { MIRO_TOKEN_STORE_URL: cluster.urlOf("postgres") },
    });
    expect(viaEnv.exitCode).toBe(0);
    const file = await writeTempFile(`${cluster.urlOf("postgres")}\n`);
    const viaFile = await run(["store", "list", "--store-url-file", file, "--json"]);
    expect(viaFile.exitCode).toBe(0);
    for (const result of [viaEnv, viaFile]) expect(said(result)).not.toContain(cluster.password);
  });

  it("canary: a wrong password from any source never shows, nor does it leak via the URL", async () => {
    const canary = "Canary-Pg-Password-5b1e";
    const wrongUrl = `postgres://postgres:${canary}@127.0.0.1:${cluster.port}/postgres`;
    const results = [
      await run(["store", "list", "--store", bare()], { env: { PGPASSWORD: canary } }),
      await run(["store", "list"], { env: { MIRO_TOKEN_STORE_URL: wrongUrl } }),
      await run(["store", "list", "--store-url-file", await writeTempFile(wrongUrl), "--json"]),
      await run(["store", "migrate", "--store", bare(), "--verbose"], {
        env: { PGPASSWORD: canary },
      }),
    ];
    for (const result of results) {
      expect(result.exitCode).not.toBe(0);
      expect(said(result)).toMatch(/AuthenticationError|28P01/);
      expect(said(result)).not.toContain(canary);
      expect(said(result)).not.toContain(encodeURIComponent(canary));
    }
  });

  it("store rekey seals a PostgreSQL store's rows under the keyring's current key", async () => {
    await run(["store", "migrate", "--store", bare()], { env: env() });
    const key = randomBytes(32).toString("base64");
    const keyring = JSON.stringify({ current: "k1", keys: { k1: key } });
    const added = await run(["store", "add", "--store", bare(), "--id", "plain"], {
      env: env(),
      stdin: tokenResponseOf(emulator.issueTokens()),
    });
    expect(added.exitCode).toBe(0);
    const rekeyed = await run(["store", "rekey", "--store", bare(), "--json"], {
      env: { ...env(), MIRO_TOKEN_STORE_KEYS: keyring },
    });
    expect(rekeyed.exitCode).toBe(0);
    expect(jsonOf(rekeyed)).toMatchObject({ ok: true, command: "store rekey", current: "k1" });
    expect((jsonOf(rekeyed) as { rekeyed: number }).rekeyed).toBeGreaterThanOrEqual(1);
    const unkeyed = await run(["store", "list", "--store", bare()], { env: env() });
    expect(unkeyed.exitCode).toBe(2);
    expect(said(unkeyed)).toContain("k1");
    expect(said(unkeyed)).not.toContain(key);
    // Leave the shared database readable for the other tests.
    await run(["store", "remove", "--store", bare(), "--id", "plain"], {
      env: { ...env(), MIRO_TOKEN_STORE_KEYS: keyring },
    });
  });
});
