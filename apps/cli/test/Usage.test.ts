// Usage errors and help, in process: every refusal exits 2 with a hint and never echoes the
// value that was refused; help lists every command, the exit codes and each option's default.
import { makeCanaries } from "@miro-token/testkit";
import { describe, expect, it } from "vitest";
import packageJson from "../package.json" with { type: "json" };
import { jsonOf, run } from "./CliHarness.ts";
import { writeTempFile } from "./TempFiles.ts";

const canaries = makeCanaries();
const secret = canaries.accessToken;
const tail = secret.slice(-20);

describe("usage errors", () => {
  it.each([
    ["info --token=<canary>", ["info", `--token=${secret}`]],
    ["info --token <canary>", ["info", "--token", secret]],
    ["--access-token <canary> info", ["--access-token", secret, "info"]],
    ["revoke --access-token=<canary>", ["revoke", `--access-token=${secret}`]],
    ["info <canary>", ["info", secret]],
    ["info -- <canary>", ["info", "--", secret]],
    ["info --client-secret <canary>", ["info", "--client-secret", canaries.clientSecret]],
  ])("refuses a secret on argv without echoing it: %s", async (_name, argv) => {
    for (const json of [false, true]) {
      const result = await run(json ? ["--json", ...argv] : argv);
      expect(result.exitCode).toBe(2);
      const output = result.stdout + result.stderr;
      expect(output).not.toContain(tail);
      expect(output).not.toContain(canaries.clientSecret.slice(-12));
      expect(output).toContain("never accepted on the command line");
      if (json)
        expect(jsonOf(result)).toMatchObject({
          ok: false,
          error: { tag: "UsageError" },
          exitCode: 2,
        });
    }
  });

  it("refuses a stray positional argument without echoing it", async () => {
    const result = await run(["info", "hunter2-not-a-dash"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).not.toContain("hunter2");
  });

  it("exits 2 and shows help on stderr without a command", async () => {
    const result = await run([]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("SUBCOMMANDS");
    expect(result.stderr).toContain("a command is required");
  });

  it("exits 2 for an unknown command, suggesting a near one, in JSON too", async () => {
    const result = await run(["inf", "--json"]);
    expect(result.exitCode).toBe(2);
    const doc = jsonOf(result);
    expect(doc).toMatchObject({ ok: false, error: { tag: "UsageError" }, exitCode: 2 });
    expect(JSON.stringify(doc)).toContain("info");
  });

  it("names an unknown option but never its value", async () => {
    const result = await run(["info", "--colour=purple-elephant"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("unknown option --colour");
    expect(result.stderr).not.toContain("purple-elephant");
  });

  it("names an invalid value's option but not the value", async () => {
    const result = await run(["info", "--retries", "many-many"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("--retries");
    expect(result.stderr).not.toContain("many-many");
  });

  it.each([
    [["info", "--timeout", "soon"], "--timeout"],
    [["info", "--timeout", "0s"], "--timeout"],
    [["info", "--retries", "11"], "--retries"],
    [["info", "--base-url", "http://x.test/?access_token=abc"], "--base-url"],
    [["info", "--base-url", "ftp://x.test"], "--base-url"],
    [["info", "--transport", "curl"], "--transport"],
  ])("rejects %j", async (argv, option) => {
    const result = await run(argv, { env: { MIRO_ACCESS_TOKEN: "token" } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(option);
  });

  it("exits 2 when no token is given, with the three inputs as a hint", async () => {
    const result = await run(["info", "--json"]);
    expect(result.exitCode).toBe(2);
    expect(jsonOf(result)).toMatchObject({
      error: { tag: "UsageError", hint: expect.stringContaining("MIRO_ACCESS_TOKEN") },
    });
  });

  it.each([
    ["inner whitespace", `${secret.slice(0, 20)} ${secret.slice(20)}`],
    ["two trailing newlines", `${secret}\n\n`],
    ["a NUL byte", `${secret}\u0000`],
    ["a tab", `\t${secret}`],
    ["non-ASCII", `${secret}é`],
    ["nothing", "\n"],
  ])("refuses a malformed token (%s) with exit 2 and no echo", async (_name, text) => {
    for (const options of [
      { stdin: text, argv: ["info", "-"] },
      { env: { MIRO_ACCESS_TOKEN: text }, argv: ["info"] },
    ]) {
      const result = await run([...options.argv, "--json"], options);
      expect(result.exitCode).toBe(2);
      const output = result.stdout + result.stderr;
      expect(output).not.toContain(secret.slice(-12));
      expect(jsonOf(result)).toMatchObject({
        error: { tag: expect.stringMatching(/MalformedTokenError|UsageError/) },
      });
    }
  });

  it("refuses an unreadable token file without naming its path", async () => {
    const result = await run(["info", "--token-file", "/nonexistent/secret-path-xyz"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("ENOENT");
    expect(result.stderr).not.toContain("secret-path-xyz");
  });

  it("refuses a token file larger than 64 KiB", async () => {
    const file = await writeTempFile("a".repeat(70_000));
    const result = await run(["info", "--token-file", file]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("larger than 65536 bytes");
  });
});

describe("help", () => {
  it("lists every command and the exit codes, exit 0", async () => {
    const result = await run(["--help"]);
    expect(result.exitCode).toBe(0);
    for (const command of [
      "demo",
      "info",
      "revoke",
      "refresh",
      "watch",
      "login",
      "store",
      "emulator",
    ]) {
      expect(result.stdout).toContain(`  ${command} `);
    }
    for (const code of ["0 ", "1 ", "2 ", "3 ", "4 ", "5 ", "130"]) {
      expect(result.stdout).toMatch(new RegExp(`^  ${code}`, "m"));
    }
    expect(result.stdout).toContain("EXIT CODES");
    expect(result.stdout).toContain("MIRO_ACCESS_TOKEN");
  });

  it.each([
    "demo",
    "info",
    "revoke",
    "refresh",
    "watch",
    "login",
    "store",
    "store list",
    "store add",
    "store remove",
    "store revoke",
    "emulator",
  ])("%s --help has a description, examples and defaults", async (command) => {
    const result = await run([...command.split(" "), "--help"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("DESCRIPTION");
    expect(result.stdout).toContain("EXAMPLES");
    const flagLines = result.stdout
      .split("\n")
      .filter((line) => /^ {2}--[a-z]/.test(line) && !/--help|--version/.test(line));
    for (const line of flagLines) expect(line).toContain("(default:");
    // Arguments too.
    for (const line of result.stdout.split("\n").filter((text) => /^ {2}- string/.test(text))) {
      expect(line).toContain("(default:");
    }
  });

  it("prints the version from package.json", async () => {
    const result = await run(["--version"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim()).toBe(`miro-token ${packageJson.version}`);
  });
});
