// The connection password never leaves in an error: a wrong password (in the URL or the
// `password` option), an unreachable host and a refused TLS request each fail with a
// `StoreError` whose every surface (message, stack, inspect, JSON, causes) is free of it.
import { createServer } from "node:net";
import { describe, expect, it } from "@effect/vitest";
import { StoreError } from "@miro-token/core";
import { canaryToken, errorSurfaces, findLeaks } from "@miro-token/testkit";
import { Effect, Redacted } from "effect";
import { SqlClient } from "effect/sql/SqlClient";
import { PostgresTokenStore } from "../src/index.ts";
import { adminUrl, failureOf, migratedDatabase, withSql } from "./Databases.ts";

/** A URL to database `name` whose password is `password`. */
const withPassword = (url: string, password: string): string => {
  const parsed = new URL(url);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
};

/** A loopback port nothing listens on. */
const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 1));
    });
  });

const expectNoLeak = (error: unknown, secrets: ReadonlyArray<string>) => {
  expect(error).toBeInstanceOf(StoreError);
  expect(findLeaks(errorSurfaces(error), secrets)).toEqual([]);
};

describe("the password never appears in an error", () => {
  it.live("a wrong password in the URL", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      const canary = canaryToken();
      const url = Redacted.make(withPassword(Redacted.value(options.url), canary));
      const error = failureOf(yield* Effect.exit(PostgresTokenStore.make({ ...options, url })));
      expect(error).toMatchObject({ operation: "open" });
      expect(String(error.message)).toContain("AuthenticationError");
      expectNoLeak(error, [canary]);
    }).pipe(Effect.scoped),
  );

  it.live("a wrong password from the `password` option, with the right one in the URL", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      const canary = canaryToken();
      const real = decodeURIComponent(new URL(adminUrl()).password);
      const error = failureOf(
        yield* Effect.exit(
          PostgresTokenStore.make({ ...options, password: Redacted.make(canary) }),
        ),
      );
      expectNoLeak(error, [canary, real]);
    }).pipe(Effect.scoped),
  );

  it.live("an unreachable host", () =>
    Effect.gen(function* () {
      const canary = canaryToken();
      const port = yield* Effect.promise(closedPort);
      const url = Redacted.make(`postgres://watcher:${canary}@127.0.0.1:${port}/miro`);
      const error = failureOf(
        yield* Effect.exit(PostgresTokenStore.make({ url, connectTimeout: "2 seconds" })),
      );
      expect(String(error.message)).toContain("ConnectionError");
      expectNoLeak(error, [canary]);
    }).pipe(Effect.scoped),
  );

  it.live("sslmode=require against a server without TLS fails; sslmode=disable connects", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      const real = decodeURIComponent(new URL(adminUrl()).password);
      const url = (mode: string) => Redacted.make(`${Redacted.value(options.url)}?sslmode=${mode}`);
      const refused = failureOf(
        yield* Effect.exit(PostgresTokenStore.make({ ...options, url: url("require") })),
      );
      expectNoLeak(refused, [real]);
      const plain = yield* PostgresTokenStore.make({ ...options, url: url("disable") });
      expect(yield* plain.list()).toEqual([]);
      const prefer = yield* PostgresTokenStore.make({ ...options, url: url("prefer") });
      expect(yield* prefer.list()).toEqual([]);
    }).pipe(Effect.scoped),
  );

  it.live("a malformed stored row is a StoreError that quotes no token", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      const store = yield* PostgresTokenStore.make(options);
      const canary = canaryToken();
      yield* store.compareAndSet("bad", 0, { accessToken: Redacted.make(canary), scopes: [] });
      const name = new URL(Redacted.value(options.url)).pathname.slice(1);
      yield* withSql(
        name,
        Effect.flatMap(
          SqlClient,
          (sql) =>
            sql`UPDATE miro_token_tokens SET token_set = jsonb_set(token_set, '{scopes}', to_jsonb(token_set->>'accessToken'))`,
        ),
      );
      const error = failureOf(yield* Effect.exit(store.get("bad")));
      expect(error).toMatchObject({ operation: "get" });
      expectNoLeak(error, [canary]);
    }).pipe(Effect.scoped),
  );
});
