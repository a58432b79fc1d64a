// The one store selection rule of the CLI and the watcher: a path or file: URL is the file
// store, postgres:// the PostgreSQL store; a password never rides on argv, and no problem
// text quotes it.
import { describe, expect, it } from "@effect/vitest";
import { Redacted, Result } from "effect";
import {
  findUrlPasswordOnArgv,
  parseStoreSelection,
  type StoreSelection,
  selectStore,
} from "../src/internal.ts";

const CANARY = "Canary-pw-7f3a9";

const ok = (result: Result.Result<StoreSelection | undefined, string>) => {
  if (Result.isFailure(result)) throw new Error(result.failure);
  return result.success;
};
const problem = (result: Result.Result<StoreSelection | undefined, string>) => {
  if (Result.isSuccess(result)) throw new Error("expected a refusal");
  expect(result.failure).not.toContain(CANARY);
  return result.failure;
};

describe("parseStoreSelection", () => {
  it.each([
    ["~/.miro-token", "~/.miro-token"],
    ["./tokens", "./tokens"],
    ["/var/lib/miro", "/var/lib/miro"],
    ["file:///var/lib/miro%20tokens", "/var/lib/miro tokens"],
    ["C:\\tokens", "C:\\tokens"],
    ["weird:name", "weird:name"],
  ])("%j is the file store at %j", (text, directory) => {
    expect(ok(parseStoreSelection(text, "argv"))).toEqual({ _tag: "File", directory });
  });

  it("postgres:// and postgresql:// select PostgreSQL, with the pool settings of the query", () => {
    const selected = ok(
      parseStoreSelection(
        "postgresql://watcher@127.0.0.1:5432/miro?sslmode=verify-full&pool_max=4&statement_timeout=2s&connect_timeout=3",
        "argv",
      ),
    );
    expect(selected).toMatchObject({
      _tag: "Postgres",
      maxConnections: 4,
      statementTimeoutMs: 2_000,
      connectTimeoutMs: 3_000,
    });
    expect(ok(parseStoreSelection("postgres://watcher@db/miro", "argv"))?._tag).toBe("Postgres");
  });

  it.each([
    ["postgres://w@db/miro?sslmode=maybe", "sslmode"],
    ["postgres://w@db/miro?pool_max=0", "pool_max"],
    ["postgres://w@db/miro?statement_timeout=5000", "statement_timeout"],
    ["postgres://w@db/miro?connect_timeout=soon", "connect_timeout"],
    ["postgres:///miro", "no host"],
    ["mysql://w@db/miro", "unsupported scheme"],
    ["file://host/dir", "host"],
    ["", "empty"],
  ])("refuses %j (%s)", (text, words) => {
    expect(problem(parseStoreSelection(text, "env"))).toContain(words);
  });

  it("a password in the URL is refused on argv and accepted from env or a file, never shown", () => {
    const url = `postgres://watcher:${CANARY}@db:5432/miro`;
    expect(problem(parseStoreSelection(url, "argv"))).toContain("PGPASSWORD");
    expect(problem(parseStoreSelection(`postgres://w@db/m?password=${CANARY}`, "argv"))).toContain(
      "never accepted on the command line",
    );
    const selected = ok(parseStoreSelection(url, "env"));
    if (selected?._tag !== "Postgres") throw new Error("expected Postgres");
    expect(selected.target).toBe("postgres://watcher@db:5432/miro");
    expect(Redacted.value(selected.url)).toBe(url);
    expect(JSON.stringify(selected)).not.toContain(CANARY);
    expect(String(selected.url)).not.toContain(CANARY);
  });
});

describe("selectStore", () => {
  it("--store wins over the environment; --store and --store-url-file exclude each other", () => {
    expect(ok(selectStore({ flag: "/a", envUrl: "postgres://w@db/m" }))).toEqual({
      _tag: "File",
      directory: "/a",
    });
    expect(problem(selectStore({ flag: "/a", urlFileText: "/b" }))).toContain("not both");
    expect(ok(selectStore({}))).toBeUndefined();
  });

  it("a URL file is cleaned like a secret (one newline) and may hold a password", () => {
    const selected = ok(selectStore({ urlFileText: `postgres://w:${CANARY}@db/m\n` }));
    expect(selected).toMatchObject({ _tag: "Postgres", target: "postgres://w@db/m" });
    expect(problem(selectStore({ urlFileText: `postgres://w:${CANARY}@db/m x` }))).toContain(
      "--store-url-file",
    );
  });

  it("PGPASSWORD supplies the password of a URL without one, not of one with its own", () => {
    const viaEnv = ok(selectStore({ flag: "postgres://w@db/m", pgPassword: CANARY }));
    expect(viaEnv?._tag === "Postgres" && Redacted.value(viaEnv.password!)).toBe(CANARY);
    const own = ok(selectStore({ envUrl: "postgres://w:own@db/m", pgPassword: CANARY }));
    expect(own?._tag === "Postgres" && own.password).toBe(undefined);
    expect(ok(selectStore({ flag: "/dir", pgPassword: CANARY }))).toEqual({
      _tag: "File",
      directory: "/dir",
    });
  });

  it("names the input of a refusal, never the value", () => {
    expect(problem(selectStore({ envUrl: "ftp://x/y" }))).toMatch(/^MIRO_TOKEN_STORE_URL /);
    expect(problem(selectStore({ flag: `postgres://w:${CANARY}@db/m` }))).toMatch(/^--store /);
  });
});

describe("findUrlPasswordOnArgv", () => {
  it.each([
    [["--store", `postgres://w:${CANARY}@db/m`], 1],
    [[`--store=postgresql://w:${CANARY}@db:5432/m`], 0],
    [["store", "list", "--store", `postgres://w@db/m?sslmode=require&password=${CANARY}`], 3],
    [["--", `postgresql://u:${CANARY}@db/m`], 1],
  ])("finds the URL password in %j", (argv, index) => {
    expect(findUrlPasswordOnArgv(argv)).toBe(index);
  });

  it.each([
    [["--store", "postgres://watcher@127.0.0.1:5432/miro"]],
    [["--store", "/var/lib/miro", "--base-url", "http://127.0.0.1:8080"]],
    [["--id", "user:with:colons@example"]],
    // Credentials in a base URL are the base URL rule's to refuse (with its own message).
    [["--base-url", `https://u:${CANARY}@example.com/`]],
  ])("lets %j pass", (argv) => {
    expect(findUrlPasswordOnArgv(argv)).toBeUndefined();
  });
});
