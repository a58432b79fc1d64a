/**
 * Cold start of the `miro-token` CLI: `miro-token --help` and `miro-token info` (against the
 * emulator in its own process, token in the environment) as ratios to `node -e 0`, all three
 * spawned interleaved round by round on the same machine in the same run. Targets: --help at
 * most 2.5x and info at most 3.5x of `node -e 0`.
 *
 * Run on its own: `node --conditions=@miro-token/source bench/src/ColdStart.ts [--quick]
 * [--strict]` (builds the CLI bundle first when `apps/cli/dist` is missing; `--strict` exits 1
 * when a target is missed). Results go to `bench/results/cold-start-*.json`.
 */
import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startEmulatorProcess } from "./EmulatorProcess.ts";
import { type BenchCase, runInterleaved } from "./Harness.ts";
import { printResults, printTargets, type Target, writeResults } from "./Report.ts";

const BASELINE = "node -e 0";
const quick = process.argv.includes("--quick");
const strict = process.argv.includes("--strict");
const options = quick
  ? { rounds: 5, callsPerRound: 3, warmupCalls: 2 }
  : { rounds: 12, callsPerRound: 5, warmupCalls: 3 };

const cliRoot = fileURLToPath(new URL("../../apps/cli/", import.meta.url));
const launcher = `${cliRoot}bin/miro-token.js`;

if (!existsSync(`${cliRoot}dist/miro-token.js`) || process.argv.includes("--build")) {
  const built = spawnSync(process.execPath, ["scripts/bundle.ts"], {
    cwd: cliRoot,
    stdio: "inherit",
  });
  if (built.status !== 0) throw new Error("building the CLI bundle failed");
}

/** One spawn of `node ...args`, resolved when it exits 0. */
const spawnOnce =
  (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env) =>
  (): Promise<void> =>
    new Promise((resolve, reject) => {
      execFile(process.execPath, [...args], { env }, (error) =>
        error ? reject(error) : resolve(),
      );
    });

const emulator = await startEmulatorProcess();
const cliEnv = {
  ...process.env,
  MIRO_API_BASE_URL: emulator.baseUrl,
  MIRO_ACCESS_TOKEN: emulator.accessToken,
};
const cases: ReadonlyArray<BenchCase> = [
  { name: BASELINE, run: spawnOnce(["-e", "0"]) },
  { name: "miro-token --help", run: spawnOnce([launcher, "--help"]) },
  { name: "miro-token info", run: spawnOnce([launcher, "info"], cliEnv) },
];

try {
  const results = await runInterleaved(cases, BASELINE, options);
  printResults(
    `cold start, ${options.rounds} rounds x ${options.callsPerRound} spawns`,
    results,
    BASELINE,
    (micros) => `${(micros / 1000).toFixed(1)} ms`,
  );
  const ratioOf = (name: string) => results.find((r) => r.name === name)!.ratio;
  const targets: ReadonlyArray<Target> = [
    { name: "miro-token --help", ratio: ratioOf("miro-token --help"), limit: 2.5 },
    { name: "miro-token info", ratio: ratioOf("miro-token info"), limit: 3.5 },
  ];
  const missed = printTargets(targets);
  writeResults("cold-start", { options, results, targets });
  if (strict && missed > 0) process.exitCode = 1;
} finally {
  await emulator.stop();
}
