// The rules both apps share (issue 9), pinned: the same inputs through the CLI and the watcher
// give the same accepted values and the same refusals — durations, secrets on argv, client
// secrets from a file or the environment (bad files included: /dev/zero, a FIFO, a directory,
// an oversized file), the store selection (`--store <path|file:|postgres://…>`,
// `--store-url-file`, `MIRO_TOKEN_STORE_URL`, `PGPASSWORD`: the same selection or the same
// refusal, a URL password on argv refused by both) — and an id the CLI accepts is one the store holds, while one it refuses
// is a usage error (exit 2), never a StoreError (exit 1). The watcher is read from its source
// (`apps/watcher/src`): both apps run their own code here, in process.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { MAX_SECRET_INPUT_BYTES, MAX_TOKEN_ID_BYTES } from "@miro-token/core";
import { type StoreSelection, URL_PASSWORD_ON_ARGV } from "@miro-token/core/internal";
import { FileTokenStore } from "@miro-token/store-file";
import { ConfigProvider, Duration, Effect, Exit, Option, Redacted } from "effect";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../watcher/src/WatcherCommand.ts";
import type { ConfigResult } from "../../watcher/src/WatcherConfig.ts";
import { resolveConnection } from "../src/ClientLayer.ts";
import { durationOption } from "../src/DurationText.ts";
import { exitCodeOfFailure, isCliFailure } from "../src/Failure.ts";
import { GLOBAL_DEFAULTS, type GlobalOptions } from "../src/GlobalOptions.ts";
import { selectedStore } from "../src/StoreAccess.ts";
import { run } from "./CliHarness.ts";
import { tempPath, writeTempFile } from "./TempFiles.ts";

const storeDir = tempPath("store");
mkdirSync(storeDir);

const watcher = (argv: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  parseConfig(["--store", storeDir, ...argv], env);

const problemsOf = (result: ConfigResult): string =>
  result._tag === "Invalid" ? result.problems.join("\n") : "";

/** The CLI's reading of the client secret: its value, or its exit code and message. */
const cliSecret = async (file: string | undefined, env: Record<string, string> = {}) => {
  const options: GlobalOptions = {
    json: false,
    verbose: false,
    debug: false,
    baseUrl: Option.none(),
    transport: GLOBAL_DEFAULTS.transport,
    timeout: GLOBAL_DEFAULTS.timeout,
    retries: GLOBAL_DEFAULTS.retries,
    clientId: Option.some("app"),
    clientSecretFile: Option.fromNullishOr(file),
    insecureStorePermissions: false,
  };
  const exit = await Effect.runPromiseExit(
    resolveConnection(options).pipe(
      Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env }))),
    ),
  );
  if (Exit.isSuccess(exit)) {
    const secret = exit.value.clientSecret;
    return { value: secret === undefined ? undefined : Redacted.value(secret) };
  }
  const error = exit.cause.reasons[0]?._tag === "Fail" ? exit.cause.reasons[0].error : undefined;
  if (!isCliFailure(error)) throw new Error("expected a typed failure");
  return { exitCode: exitCodeOfFailure(error), message: error.message };
};

/** The watcher's reading of the client secret: its value, or its problems. */
const watcherSecret = async (file: string | undefined, env: Record<string, string> = {}) => {
  const result = await watcher(
    ["--client-id", "app", ...(file === undefined ? [] : ["--client-secret-file", file])],
    env,
  );
  return result._tag === "Config"
    ? { value: result.config.clientSecret && Redacted.value(result.config.clientSecret) }
    : { problems: problemsOf(result) };
};

describe("one duration grammar", () => {
  it.each(["500ms", "10s", "1m30s", "1m 30s", "10 s", "2h", "1d", "1.5s", "30"])(
    "%j: the same value in both apps",
    async (text) => {
      const cli = Duration.toMillis(Effect.runSync(durationOption("--interval", text)));
      const result = await watcher([`--interval=${text}`]);
      expect(result._tag === "Config" && result.config.interval).toBe(cli);
    },
  );

  it.each(["soon", "-1s", "10x", "", "1e3", "s"])("%j: refused by both", async (text) => {
    expect(Exit.isFailure(Effect.runSyncExit(durationOption("--interval", text)))).toBe(true);
    expect(problemsOf(await watcher([`--interval=${text}`]))).toContain("--interval");
  });
});

describe("one argv guard", () => {
  const secretArgs = [
    ["--token=abc"],
    ["--access-token", "abc"],
    ["--refresh-token=abc"],
    ["--client-secret", "abc"],
    ["--secret=abc"],
    ["--bearer", "abc"],
    ["--interval", "eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_abc"],
  ];
  it.each(secretArgs)("%j: refused by both with the same reason, exit 2", async (...argv) => {
    const cli = await run(["info", ...argv]);
    expect(cli.exitCode).toBe(2);
    const problems = problemsOf(await watcher(argv));
    const reason = problems.split(":")[0]!;
    expect(reason).toMatch(/is not an option$|looks like a Miro token$/);
    expect(cli.stderr).toContain(reason);
    for (const output of [cli.stderr, problems]) expect(output).not.toContain("abc");
  });
});

describe("one secret-text rule and one bounded file reader", () => {
  it("a secret file: one trailing newline stripped, the same value in both apps", async () => {
    for (const text of ["s3cret", "s3cret\n", "s3cret\r\n"]) {
      const file = await writeTempFile(text);
      expect(await cliSecret(file)).toEqual({ value: "s3cret" });
      expect(await watcherSecret(file)).toEqual({ value: "s3cret" });
    }
  });

  it("the environment: the same rule (no trimming), in both apps", async () => {
    expect(await cliSecret(undefined, { MIRO_CLIENT_SECRET: "s3cret\n" })).toEqual({
      value: "s3cret",
    });
    expect(await watcherSecret(undefined, { MIRO_CLIENT_SECRET: "s3cret\n" })).toEqual({
      value: "s3cret",
    });
    for (const value of [" s3cret ", "s".repeat(MAX_SECRET_INPUT_BYTES + 1)]) {
      const cli = await cliSecret(undefined, { MIRO_CLIENT_SECRET: value });
      expect(cli.exitCode).toBe(2);
      const problems = (await watcherSecret(undefined, { MIRO_CLIENT_SECRET: value })).problems;
      expect(problems).toContain("MIRO_CLIENT_SECRET");
      const reason = /(contains whitespace or control characters|is larger than \d+ bytes)/;
      expect(cli.message).toMatch(reason);
      expect(problems?.match(reason)?.[0]).toBe(cli.message?.match(reason)?.[0]);
    }
  });

  it("/dev/zero, a FIFO, a directory, an oversized or a blank file: refused by both at once", async () => {
    const fifo = tempPath("fifo");
    execFileSync("mkfifo", [fifo]);
    const directory = tempPath("dir");
    mkdirSync(directory);
    const cases: ReadonlyArray<readonly [string, RegExp]> = [
      ["/dev/zero", /not a regular file/],
      [fifo, /not a regular file/],
      [directory, /not a regular file/],
      [await writeTempFile("x".repeat(MAX_SECRET_INPUT_BYTES + 1)), /larger than 65536 bytes/],
      [await writeTempFile("two words\n"), /contains whitespace or control characters/],
      [await writeTempFile("\n"), /is empty/],
      [tempPath("missing"), /ENOENT/],
    ];
    const started = Date.now();
    for (const [file, reason] of cases) {
      const cli = await cliSecret(file);
      expect(cli.exitCode, file).toBe(2);
      expect(cli.message).toMatch(reason);
      expect((await watcherSecret(file)).problems).toMatch(reason);
    }
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe("one id rule", () => {
  it("an id the CLI accepts, the store holds; one it refuses is exit 2, not a StoreError", async () => {
    const store = tempPath("ids");
    const document = JSON.stringify({ access_token: "tok-abc", expires_in: 3600 });
    const longest = "i".repeat(MAX_TOKEN_ID_BYTES);
    for (const id of [longest, "user/with spaces:ü"]) {
      const added = await run(["store", "add", "--store", store, "--id", id], { stdin: document });
      expect(added.exitCode, added.stderr).toBe(0);
    }
    const listed = await Effect.runPromise(
      Effect.flatMap(FileTokenStore.make({ directory: store }), (opened) => opened.list()),
    );
    expect(listed.map((entry) => entry.id).sort()).toEqual([longest, "user/with spaces:ü"].sort());
    for (const id of [`${longest}i`, "a\tb", ""]) {
      const refused = await run(["store", "add", "--store", store, "--id", id], {
        stdin: document,
      });
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toContain("UsageError: --id");
      const removed = await run(["store", "remove", "--store", store, "--id", id]);
      expect(removed.exitCode).toBe(2);
    }
  });
});

/** A selection as plain data (secrets revealed, a directory made absolute) to compare. */
const plain = (selection: StoreSelection) =>
  selection._tag === "File"
    ? { _tag: "File", directory: resolve(selection.directory) }
    : {
        ...selection,
        url: Redacted.value(selection.url),
        password: selection.password && Redacted.value(selection.password),
      };

interface StoreInput {
  readonly store?: string;
  readonly urlFile?: string;
  readonly env?: Record<string, string>;
}

/** The CLI's store selection (a command that needs a store): the selection, or its message. */
const cliStore = async ({ store, urlFile, env = {} }: StoreInput) => {
  const exit = await Effect.runPromiseExit(
    selectedStore(
      { store: Option.fromNullishOr(store), storeUrlFile: Option.fromNullishOr(urlFile) },
      true,
    ).pipe(Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))),
  );
  if (Exit.isSuccess(exit)) return { selection: plain(Option.getOrThrow(exit.value)) };
  const error = exit.cause.reasons[0]?._tag === "Fail" ? exit.cause.reasons[0].error : undefined;
  if (!isCliFailure(error)) throw new Error("expected a typed failure");
  return { exitCode: exitCodeOfFailure(error), message: error.message };
};

/** The watcher's store selection: the selection, or its problems. */
const watcherStore = async ({ store, urlFile, env = {} }: StoreInput) => {
  const argv = [
    ...(store === undefined ? [] : ["--store", store]),
    ...(urlFile === undefined ? [] : ["--store-url-file", urlFile]),
  ];
  const result = await parseConfig(argv, env);
  return result._tag === "Config"
    ? { selection: plain(result.config.store) }
    : { problems: problemsOf(result) };
};

describe("one store selection rule", () => {
  const pg = "postgres://watcher@127.0.0.1:5432/miro";
  const withPassword = "postgres://watcher:pg-s3cret@127.0.0.1:5432/miro";

  it("a directory, a file: URL, a postgres:// URL with its pool settings, a password from PGPASSWORD, MIRO_TOKEN_STORE_URL or --store-url-file: the same selection in both apps", async () => {
    const urlFile = await writeTempFile(`${withPassword}?pool_max=3\n`);
    const inputs: ReadonlyArray<StoreInput> = [
      { store: storeDir },
      { store: `file://${storeDir}` },
      { store: `${pg}?sslmode=require&pool_max=5&statement_timeout=10s&connect_timeout=3` },
      { store: pg, env: { PGPASSWORD: "pg-s3cret" } },
      { env: { MIRO_TOKEN_STORE_URL: withPassword, PGPASSWORD: "ignored" } },
      { env: { MIRO_TOKEN_STORE_URL: pg, PGPASSWORD: "pg-s3cret" } },
      { urlFile },
    ];
    for (const input of inputs) {
      const cli = await cliStore(input);
      expect(cli.selection, JSON.stringify(input)).toBeDefined();
      expect(await watcherStore(input), JSON.stringify(input)).toEqual(cli);
    }
    expect((await watcherStore({ urlFile })).selection).toMatchObject({
      _tag: "Postgres",
      target: `${pg}?pool_max=3`,
      maxConnections: 3,
    });
  });

  it("a bad scheme, sslmode, pool size, a missing host, both flags, none at all: refused by both for the same reason, exit 2", async () => {
    const urlFile = await writeTempFile(pg);
    const cases: ReadonlyArray<readonly [StoreInput, RegExp]> = [
      [{ store: "redis://cache/0" }, /has the unsupported scheme redis:/],
      [{ store: `${pg}?sslmode=sometimes` }, /has sslmode=sometimes/],
      [{ store: `${pg}?pool_max=0` }, /has pool_max=0/],
      [{ store: "postgres:///miro" }, /names no host/],
      [{ store: pg, urlFile }, /give either --store or --store-url-file, not both/],
      [{ urlFile: "/dev/zero" }, /not a regular file/],
      [
        { env: { MIRO_TOKEN_STORE_URL: "postgres://x@h/db?sslmode=no" } },
        /MIRO_TOKEN_STORE_URL has sslmode=no/,
      ],
      [{ store: pg, env: { PGPASSWORD: "two words" } }, /PGPASSWORD contains whitespace/],
      [{}, /--store/],
    ];
    for (const [input, reason] of cases) {
      const cli = await cliStore(input);
      expect(cli.exitCode, JSON.stringify(input)).toBe(2);
      expect(cli.message).toMatch(reason);
      expect((await watcherStore(input)).problems, JSON.stringify(input)).toMatch(reason);
    }
  });

  it.each([[withPassword], [`${pg}?password=pg-s3cret`]])(
    "%s on argv: refused by both before parsing, exit 2, the password never shown",
    async (url) => {
      const cli = await run(["store", "list", "--store", url]);
      expect(cli.exitCode).toBe(2);
      expect(cli.stderr).toContain(URL_PASSWORD_ON_ARGV);
      const problems = (await watcherStore({ store: url })).problems;
      expect(problems).toContain(URL_PASSWORD_ON_ARGV);
      for (const output of [cli.stdout, cli.stderr, problems])
        expect(output).not.toContain("s3cret");
    },
  );
});
