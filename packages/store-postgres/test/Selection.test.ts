// `@miro-token/store-postgres/selection`: the one function both apps call to open what core's
// selection rule chose — a directory or a postgres:// database — with the pool settings of the
// URL's query, an unusable schema as a StoreError saying what to run, and a password that
// shows nowhere (error, message, pretty cause, JSON).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "@effect/vitest";
import { TokenStore } from "@miro-token/core";
import { type StoreSelection, selectStore } from "@miro-token/core/internal";
import { storeTokenSet } from "@miro-token/testkit";
import { Cause, Context, Effect, Exit, Layer, Option, Redacted, Result } from "effect";
import { poolConfigOf } from "../src/index.ts";
import { postgresOptionsOf, storeLayer } from "../src/selection/index.ts";
import { freshDatabase, migratedDatabase, urlOf } from "./Databases.ts";

const CANARY = "Canary-selection-pw-0c4d";

/** The URL of database `name` without its password, and the password. */
const split = (name: string) => {
  const url = new URL(urlOf(name));
  const password = decodeURIComponent(url.password);
  url.password = "";
  return { bare: url.toString(), password };
};

const selected = (inputs: Parameters<typeof selectStore>[0]): StoreSelection => {
  const result = selectStore(inputs);
  if (Result.isFailure(result) || result.success === undefined) throw new Error("no selection");
  return result.success;
};

const open = (selection: StoreSelection) =>
  Effect.map(Layer.build(storeLayer(selection)), (context) => Context.get(context, TokenStore));

describe("storeLayer", () => {
  it.live("a directory opens the file store", () =>
    Effect.gen(function* () {
      const directory = join(mkdtempSync(join(tmpdir(), "selection-")), "store");
      const store = yield* open(selected({ flag: directory }));
      yield* store.compareAndSet("alice", 0, storeTokenSet(1));
      const again = yield* open(selected({ flag: `file://${directory}` }));
      expect(Option.map(yield* again.get("alice"), (entry) => entry.generation)).toEqual(
        Option.some(1),
      );
    }).pipe(Effect.scoped),
  );

  it.live("a postgres:// URL with PGPASSWORD opens the PostgreSQL store, changes included", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      const name = new URL(Redacted.value(options.url)).pathname.slice(1);
      const { bare, password } = split(name);
      const store = yield* open(selected({ flag: bare, pgPassword: password }));
      const written = yield* store.compareAndSet("alice", 0, storeTokenSet(1));
      expect(written._tag).toBe("Written");
      expect(store.changes).toBeDefined();
    }).pipe(Effect.scoped),
  );

  it.live(
    "an unmigrated database is a StoreError naming the command to run, not the password",
    () =>
      Effect.gen(function* () {
        const name = yield* freshDatabase;
        const { bare, password } = split(name);
        const exit = yield* Effect.exit(open(selected({ flag: bare, pgPassword: password })));
        expect(Exit.isFailure(exit)).toBe(true);
        const pretty = Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "";
        expect(pretty).toContain(`run \`miro-token store migrate --store ${bare}\``);
        expect(pretty).toContain("StoreError: open failed");
        expect(pretty).not.toContain(password);
      }).pipe(Effect.scoped),
  );

  it.live("canary: a wrong password from PGPASSWORD or the URL is on no surface of the error", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      const name = new URL(Redacted.value(options.url)).pathname.slice(1);
      const { bare } = split(name);
      const withPassword = bare.replace("postgres@", `postgres:${encodeURIComponent(CANARY)}@`);
      for (const selection of [
        selected({ flag: bare, pgPassword: CANARY }),
        selected({ envUrl: withPassword }),
        selected({ urlFileText: `${withPassword}\n` }),
      ]) {
        const exit = yield* Effect.exit(open(selection));
        if (Exit.isSuccess(exit)) throw new Error("a wrong password was accepted");
        const error = Cause.squash(exit.cause) as Error;
        const surfaces = [
          Cause.pretty(exit.cause),
          String(error),
          error.message,
          JSON.stringify(error),
          JSON.stringify(selection),
          selection._tag === "Postgres" ? String(selection.url) : "",
        ].join("\n");
        expect(surfaces).toMatch(/AuthenticationError|28P01/);
        expect(surfaces).not.toContain(CANARY);
        expect(surfaces).not.toContain(encodeURIComponent(CANARY));
      }
    }).pipe(Effect.scoped),
  );
});

describe("postgresOptionsOf", () => {
  it("carries pool_max, statement_timeout and connect_timeout of the URL to the pool", () => {
    const selection = selected({
      flag: "postgres://w@db:5432/miro?sslmode=require&pool_max=3&statement_timeout=1500ms&connect_timeout=2",
      pgPassword: CANARY,
    });
    if (selection._tag !== "Postgres") throw new Error("expected Postgres");
    const config = poolConfigOf(postgresOptionsOf(selection));
    expect(config).toMatchObject({
      maxConnections: 3,
      startupParameters: { statement_timeout: "1500" },
    });
    expect(Redacted.value(config.password as Redacted.Redacted<string>)).toBe(CANARY);
    expect(String(config.connectTimeout)).toContain("2000");
  });
});
