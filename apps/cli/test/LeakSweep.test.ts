import { findLeaks, makeCanaries } from "@miro-token/testkit";
import { describe, expect, it } from "vitest";
import { type RunOptions, run } from "./CliHarness.ts";
import { emulatorPerFile } from "./EmulatorPerFile.ts";
import { tempPath, writeTempFile } from "./TempFiles.ts";

const canaries = makeCanaries();
const secrets = [canaries.accessToken, canaries.refreshToken, canaries.clientSecret];

const emulator = emulatorPerFile();

interface Case {
  readonly name: string;
  readonly argv: () => Promise<ReadonlyArray<string>> | ReadonlyArray<string>;
  readonly options?: () => RunOptions;
  /** Set up the emulator (faults) before each run. */
  readonly arrange?: () => void;
}

const env = (extra: Record<string, string> = {}) => ({
  MIRO_API_BASE_URL: emulator.baseUrl,
  ...extra,
});
const withCanaryToken = (extra: Record<string, string> = {}) => ({
  env: env({ MIRO_ACCESS_TOKEN: canaries.accessToken, ...extra }),
});
const canaryCredentials = {
  MIRO_CLIENT_ID: "3458764500000000001",
  MIRO_CLIENT_SECRET: canaries.clientSecret,
};
const canarySet = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    access_token: canaries.accessToken,
    refresh_token: canaries.refreshToken,
    expires_in: 3599,
    ...extra,
  });

const cases: ReadonlyArray<Case> = [
  { name: "info, token unknown to Miro", argv: () => ["info"], options: () => withCanaryToken() },
  {
    name: "info, Miro echoes the token as a 500 body",
    argv: () => ["info"],
    options: () => withCanaryToken(),
    arrange: () =>
      emulator.queueFault(
        "token-info",
        { kind: "status", status: 500, body: canaries.accessToken },
        3,
      ),
  },
  {
    name: "info, Miro echoes the token as a 200 body (not JSON)",
    argv: () => ["info"],
    options: () => withCanaryToken(),
    arrange: () =>
      emulator.queueFault("token-info", {
        kind: "status",
        status: 200,
        body: canaries.accessToken,
      }),
  },
  {
    name: "info, Miro echoes the token in an error message",
    argv: () => ["info"],
    options: () => withCanaryToken(),
    arrange: () =>
      emulator.queueFault("token-info", {
        kind: "status",
        status: 401,
        body: JSON.stringify({
          status: 401,
          code: canaries.accessToken,
          message: canaries.accessToken,
        }),
      }),
  },
  {
    name: "info, Miro answers 418 with the token",
    argv: () => ["info"],
    options: () => withCanaryToken(),
    arrange: () =>
      emulator.queueFault("token-info", {
        kind: "status",
        status: 418,
        body: canaries.accessToken,
      }),
  },
  {
    name: "info, token with a trailing newline pair",
    argv: () => ["info"],
    options: () => withCanaryToken({ MIRO_ACCESS_TOKEN: `${canaries.accessToken}\n\n` }),
  },
  {
    name: "info, token with a NUL byte",
    argv: () => ["info", "-"],
    options: () => ({ env: env(), stdin: `${canaries.accessToken}\u0000` }),
  },
  {
    name: "info, token with inner whitespace",
    argv: () => ["info", "-"],
    options: () => ({
      env: env(),
      stdin: `${canaries.accessToken.slice(0, 30)} ${canaries.accessToken.slice(30)}`,
    }),
  },
  {
    name: "info, token file with a trailing space",
    argv: async () => ["info", "--token-file", await writeTempFile(`${canaries.accessToken} \n`)],
    options: () => ({ env: env() }),
  },
  {
    name: "info, unreachable",
    argv: () => ["info", "--retries", "0", "--base-url", "http://127.0.0.1:1"],
    options: () => withCanaryToken(),
  },
  {
    name: "revoke v2, wrong secret",
    argv: () => ["revoke"],
    options: () => withCanaryToken(canaryCredentials),
  },
  {
    name: "revoke v1, unknown token",
    argv: () => ["revoke", "--verify"],
    options: () => withCanaryToken(),
  },
  {
    name: "revoke, Miro echoes the secret",
    argv: () => ["revoke"],
    options: () => withCanaryToken(canaryCredentials),
    arrange: () =>
      emulator.queueFault("revoke-v2", {
        kind: "status",
        status: 400,
        body: canaries.clientSecret,
      }),
  },
  {
    name: "revoke, client secret file with whitespace",
    argv: async () => [
      "revoke",
      "--client-id",
      "1",
      "--client-secret-file",
      await writeTempFile(`${canaries.clientSecret} x`),
    ],
    options: () => withCanaryToken(),
  },
  {
    name: "refresh, token-set file with a dead refresh token",
    argv: async () => ["refresh", "--token-set", await writeTempFile(canarySet())],
    options: () => ({
      env: env({
        MIRO_CLIENT_ID: emulator.seed!.client.clientId,
        MIRO_CLIENT_SECRET: emulator.seed!.client.clientSecret,
      }),
    }),
  },
  {
    name: "refresh, Miro echoes the refresh token",
    argv: async () => ["refresh", "--token-set", await writeTempFile(canarySet())],
    options: () => ({
      env: env({
        MIRO_CLIENT_ID: emulator.seed!.client.clientId,
        MIRO_CLIENT_SECRET: emulator.seed!.client.clientSecret,
      }),
    }),
    arrange: () =>
      emulator.queueFault("token", {
        kind: "status",
        status: 400,
        body: `{"error":"invalid_grant","message":"${canaries.refreshToken}"}`,
      }),
  },
  {
    name: "refresh, wrong client secret",
    argv: async () => ["refresh", "--token-set", await writeTempFile(canarySet())],
    options: () => ({ env: env(canaryCredentials) }),
  },
  {
    name: "refresh, token-set file with a malformed refresh token",
    argv: async () => [
      "refresh",
      "--token-set",
      await writeTempFile(canarySet({ refresh_token: `${canaries.refreshToken}\n` })),
    ],
    options: () => ({ env: env(canaryCredentials) }),
  },
  {
    name: "refresh, token-set file that is not JSON",
    argv: async () => ["refresh", "--token-set", await writeTempFile(`${canaries.refreshToken}{`)],
    options: () => ({ env: env(canaryCredentials) }),
  },
  {
    name: "store add, not JSON",
    argv: () => ["store", "add", "--store", tempPath("store")],
    options: () => ({ stdin: canaries.accessToken }),
  },
  {
    name: "store add, truncated JSON",
    argv: () => ["store", "add", "--store", tempPath("store")],
    options: () => ({ stdin: canarySet().slice(0, 60) }),
  },
  {
    name: "store add, token with a tab",
    argv: () => ["store", "add", "--store", tempPath("store")],
    options: () => ({ stdin: canarySet({ access_token: `\t${canaries.accessToken}` }) }),
  },
  {
    name: "watch --once, unknown token",
    argv: () => ["watch", "--once"],
    options: () => withCanaryToken(),
  },
  { name: "argv: --token=", argv: () => ["info", `--token=${canaries.accessToken}`] },
  { name: "argv: bare token", argv: () => ["info", canaries.accessToken] },
  {
    name: "argv: secret as an unknown option's value",
    argv: () => ["info", `--secret-file=${canaries.clientSecret}`],
  },
  { name: "argv: secret as a positional", argv: () => ["revoke", canaries.clientSecret] },
  {
    name: "argv: secret as an invalid value",
    argv: () => ["info", "--retries", canaries.clientSecret],
  },
  { name: "argv: secret as a choice", argv: () => ["info", "--transport", canaries.clientSecret] },
  { name: "argv: secret as a command", argv: () => [canaries.clientSecret] },
];

describe("RELIABILITY target 8: canary sweep over CLI stdout and stderr", () => {
  it.each(cases.map((testCase) => [testCase.name, testCase] as const))(
    "%s",
    async (_name, testCase) => {
      for (const mode of [[], ["--json"], ["--verbose"], ["--json", "--verbose"]]) {
        emulator.clearFaults();
        testCase.arrange?.();
        const argv = await testCase.argv();
        // One attempt per operation: retries would only repeat the same outputs, slowly.
        const result = await run([...mode, ...argv, "--retries", "0"], testCase.options?.() ?? {});
        expect([1, 2, 3, 4, 5]).toContain(result.exitCode);
        expect(findLeaks(`${result.stdout}\n${result.stderr}`, secrets)).toEqual([]);
      }
      emulator.clearFaults();
    },
  );

  it("the emulator did receive the canaries (the sweep is not vacuous)", () => {
    expect(emulator.requests.length).toBeGreaterThan(20);
    expect(emulator.requests.some((request) => JSON.stringify(request).includes("masked"))).toBe(
      true,
    );
  });
});
