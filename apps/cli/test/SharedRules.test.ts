// The rules both apps share (issue 9), pinned: the same inputs through the CLI and the watcher
// give the same accepted values and the same refusals — durations, secrets on argv, client
// secrets from a file or the environment (bad files included: /dev/zero, a FIFO, a directory,
// an oversized file) — and an id the CLI accepts is one the store holds, while one it refuses
// is a usage error (exit 2), never a StoreError (exit 1). The watcher is read from its source
// (`apps/watcher/src`): both apps run their own code here, in process.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { MAX_SECRET_INPUT_BYTES, MAX_TOKEN_ID_BYTES } from "@miro-token/core";
import { FileTokenStore } from "@miro-token/store-file";
import { ConfigProvider, Duration, Effect, Exit, Option, Redacted } from "effect";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../watcher/src/WatcherCommand.ts";
import type { ConfigResult } from "../../watcher/src/WatcherConfig.ts";
import { resolveConnection } from "../src/ClientLayer.ts";
import { durationOption } from "../src/DurationText.ts";
import { exitCodeOfFailure, isCliFailure } from "../src/Failure.ts";
import { GLOBAL_DEFAULTS, type GlobalOptions } from "../src/GlobalOptions.ts";
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
