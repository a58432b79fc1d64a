// Start-up of the binary: `--help`, `-h` and `--version` answered by the bundle's entry chunk
// alone, byte for byte what the program prints, with the program's colour rule; and the
// launcher running the sources in its own process when there is no bundle.
import {
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { colorsWanted, fastOutput, stripColors } from "../src/FastOutput.ts";
import { spawnCli } from "./BuiltBinary.ts";
import { run } from "./CliHarness.ts";
import { emulatorPerFile } from "./EmulatorPerFile.ts";
import { tempPath } from "./TempFiles.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("the fast answers", () => {
  const table = { answers: ["\u001b[1mUSAGE\u001b[0m x\n"], index: { "--help": 0, "info -h": 0 } };
  const tty = () => true;

  it("answers exact argvs only, coloured on a terminal and plain elsewhere", () => {
    expect(fastOutput(table, ["--help"], tty, undefined)).toBe("\u001b[1mUSAGE\u001b[0m x\n");
    expect(fastOutput(table, ["info", "-h"], () => false, undefined)).toBe("USAGE x\n");
    expect(fastOutput(table, ["info", "-h"], tty, "1")).toBe("USAGE x\n");
    for (const argv of [[], ["--help", "--json"], ["-h"], ["info", "--help"], ["constructor"]]) {
      expect(fastOutput(table, argv, tty, undefined)).toBeUndefined();
    }
  });

  it("leaves the colour choice to the program when NO_COLOR is unusually long", () => {
    expect(colorsWanted(true, "")).toBe(true);
    expect(colorsWanted(false, undefined)).toBe(false);
    expect(colorsWanted(true, "x".repeat(1024))).toBe(false);
    expect(colorsWanted(true, "x".repeat(1025))).toBeUndefined();
    expect(fastOutput(table, ["--help"], tty, "x".repeat(70_000))).toBeUndefined();
  });

  it("strips colour codes only", () => {
    expect(stripColors("\u001b[1;36ma\u001b[0m b [c]")).toBe("a b [c]");
  });
});

describe("the built binary", () => {
  it.each([
    ["--help"],
    ["-h"],
    ["--version"],
    ["info --help"],
    ["store rekey -h"],
    ["watch --help"],
  ])("prints what the program prints for %s, without loading the program", async (line) => {
    const argv = line.split(" ");
    // The bundle without the program's chunk (bin-*.js): any import of the program would fail.
    const alone = tempPath("without-program");
    cpSync(join(root, "dist"), alone, { recursive: true });
    const programChunks = readdirSync(alone).filter((file) => file.startsWith("bin-"));
    expect(programChunks).toHaveLength(1);
    for (const file of programChunks) rmSync(join(alone, file));
    const fast = await spawnCli(argv, { script: join(alone, "miro-token.js") });
    const program = await run(argv);
    expect(program.exitCode).toBe(0);
    const expected = `${program.stdout}\n`;
    expect(fast.stderr).toBe("");
    expect(fast.exitCode).toBe(0);
    expect(fast.stdout).toBe(expected);
    // And through the launcher, with NO_COLOR set.
    const launched = await spawnCli(argv, { env: { NO_COLOR: "1" } });
    expect(launched.stdout).toBe(expected);
  });

  it("runs the program for anything else: a usage error exits 2", async () => {
    const result = await spawnCli(["--bogus"]);
    expect(result.exitCode).toBe(2);
  });
});

describe("info's fast path in the built binary", () => {
  const emulator = emulatorPerFile(120_000);

  /** The bundle without the program's chunk (bin-*.js): any import of the program fails. */
  const withoutProgram = (): string => {
    const alone = tempPath("info-without-program");
    cpSync(join(root, "dist"), alone, { recursive: true });
    for (const file of readdirSync(alone).filter((name) => name.startsWith("bin-"))) {
      rmSync(join(alone, file));
    }
    return join(alone, "miro-token.js");
  };

  it("runs a plain info argv without the program, printing what the program prints", async () => {
    const { accessToken } = emulator.issueTokens();
    const env = { MIRO_API_BASE_URL: emulator.baseUrl, MIRO_ACCESS_TOKEN: accessToken };
    const script = withoutProgram();
    for (const argv of [
      ["info", "--json"],
      ["--json", "info", "--transport", "fetch"],
    ]) {
      const fast = await spawnCli(argv, { script, env });
      expect(fast.stderr).toBe("");
      expect(fast.exitCode).toBe(0);
      expect(JSON.parse(fast.stdout)).toMatchObject({ ok: true, command: "info" });
    }
    // The human table as the program prints it (`--verbose=true` is not read by the fast
    // reader), but for the rate-limit line, which each call changes.
    const human = await spawnCli(["info"], { script, env });
    const program = await run(["info", "--verbose=false"], { env });
    expect(program.exitCode).toBe(0);
    const rows = (text: string) => text.split("\n").filter((line) => !line.startsWith("rate"));
    expect(rows(human.stdout.trimEnd())).toEqual(rows(program.stdout));
    // Failures too: exit codes and documents come from the same outcome handling.
    const missing = await spawnCli(["info", "--json", "--token-file", "/nonexistent"], {
      script,
      env,
    });
    expect(missing.exitCode).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({ ok: false, exitCode: 2 });
  }, 60_000);

  it("leaves any other info argv to the program", async () => {
    const result = await spawnCli(["info", "--json=true", "--token-file", "/nonexistent"], {
      script: withoutProgram(),
    });
    // Without the program's chunk the import fails: proof the fast path did not take it.
    expect(result.exitCode).not.toBe(2);
    expect(result.stderr).toContain("bin-");
  });
});

describe("the launcher without a bundle", () => {
  it("runs the sources in its own process, with no child Node", async () => {
    // A copy of the launcher beside the real sources, laid out as in the repository, no dist/.
    const repo = tempPath("no-bundle");
    const dir = join(repo, "apps/cli");
    mkdirSync(join(dir, "bin"), { recursive: true });
    cpSync(join(root, "bin/miro-token.js"), join(dir, "bin/miro-token.js"));
    cpSync(join(root, "package.json"), join(dir, "package.json"));
    for (const linked of ["src", "node_modules"])
      symlinkSync(join(root, linked), join(dir, linked));
    symlinkSync(join(root, "../../scripts"), join(repo, "scripts"));
    // Every Node process started appends its pid to this file.
    const pids = tempPath("pids");
    const preload = tempPath("record-pid.cjs");
    writeFileSync(
      preload,
      `require("node:fs").appendFileSync(${JSON.stringify(pids)}, process.pid + "\\n");\n`,
    );
    const result = await spawnCli(["--version"], {
      script: join(dir, "bin/miro-token.js"),
      env: { NODE_OPTIONS: `--require ${preload}` },
      timeoutSeconds: 60,
    });
    expect(result.stdout).toBe(`miro-token ${packageVersion()}\n`);
    expect(readFileSync(pids, "utf8").trim().split("\n")).toHaveLength(1);
  }, 90_000);
});

const packageVersion = (): string =>
  (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
