/**
 * Cold start of the binaries as a user meets them: `miro-token --help`, `--version`, `info`
 * (against the emulator in its own process, the token in the environment) and
 * `miro-token-watcher --help`, each run by the real Node binary on the bundle, timed from outside
 * by hyperfine (`-N`, no shell; warm-up runs first) beside `node -e 0`. A Node parent timing its
 * own spawns adds its spawn cost to both sides and flattens every ratio; hyperfine measures the
 * child alone: wall time and the child's CPU (user + system, from its rusage).
 *
 * Each round is one hyperfine run of all cases in rotating order; the tables give the median
 * over rounds of each case's wall median, CPU mean and per-round ratios to `node -e 0`.
 * Targets (CPU and wall alike): `--help` at most 2.5x, `info` at most 3.5x.
 *
 * Run on its own: `node --conditions=@miro-token/source bench/src/ColdStart.ts [--quick]
 * [--strict] [--compare-with DIR]` (DIR: another checkout with its bundles built, e.g. the
 * commit before, whose four binaries' cases run in the same rounds, marked `(before)`) (rebuilds both bundles first; installs Debian's hyperfine when missing, or says to;
 * `--strict` exits 1 when a target is missed). Results go to `bench/results/cold-start.json`,
 * with the machine's load average before and after (printed beside the table: on a shared
 * machine the ratios move with it).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureHyperfine } from "../../scripts/provision/hyperfine.ts";
import { startEmulatorProcess } from "./EmulatorProcess.ts";
import { printTargets, type Target, writeResults } from "./Report.ts";
import { formatRatio, median } from "./Stats.ts";

const BASELINE = "node -e 0";
const quick = process.argv.includes("--quick");
const strict = process.argv.includes("--strict");
const options = quick ? { rounds: 3, runs: 10, warmup: 3 } : { rounds: 6, runs: 20, warmup: 3 };

const repo = fileURLToPath(new URL("../../", import.meta.url));
const cli = `${repo}apps/cli/bin/miro-token.js`;
const watcher = `${repo}apps/watcher/bin/miro-token-watcher.js`;

/** One command line, as hyperfine runs it (its words split like a shell's, no shell). */
interface ColdCase {
  readonly name: string;
  readonly args: ReadonlyArray<string>;
}

const binaryCases = (cliPath: string, watcherPath: string, mark: string): Array<ColdCase> => [
  { name: `miro-token --help${mark}`, args: [cliPath, "--help"] },
  { name: `miro-token --version${mark}`, args: [cliPath, "--version"] },
  { name: `miro-token info${mark}`, args: [cliPath, "info"] },
  { name: `miro-token-watcher --help${mark}`, args: [watcherPath, "--help"] },
];
const compareAt = process.argv.indexOf("--compare-with");
const before = compareAt === -1 ? undefined : process.argv[compareAt + 1];

const cases: ReadonlyArray<ColdCase> = [
  { name: BASELINE, args: ["-e", "0"] },
  ...binaryCases(cli, watcher, ""),
  ...(before === undefined
    ? []
    : binaryCases(
        join(before, "apps/cli/bin/miro-token.js"),
        join(before, "apps/watcher/bin/miro-token-watcher.js"),
        " (before)",
      )),
];

/** What one round measured of one case, in milliseconds. */
interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

interface HyperfineResult {
  readonly median: number;
  readonly user: number;
  readonly system: number;
  readonly exit_codes: ReadonlyArray<number>;
}

const quote = (word: string): string => (/^[\w./=:-]+$/.test(word) ? word : `'${word}'`);

/** One hyperfine run of `order`, with the CLI's environment; the samples by case name. */
const round = (
  hyperfine: string,
  order: ReadonlyArray<ColdCase>,
  env: NodeJS.ProcessEnv,
  dir: string,
): ReadonlyMap<string, Sample> => {
  const json = join(dir, "round.json");
  execFileSync(
    hyperfine,
    [
      "-N",
      "--style",
      "none",
      "--warmup",
      String(options.warmup),
      "--runs",
      String(options.runs),
      "--export-json",
      json,
      ...order.map((c) => [process.execPath, ...c.args].map(quote).join(" ")),
    ],
    { env, stdio: ["ignore", "ignore", "inherit"] },
  );
  const { results } = JSON.parse(readFileSync(json, "utf8")) as {
    results: ReadonlyArray<HyperfineResult>;
  };
  return new Map(
    results.map((r, i) => {
      if (r.exit_codes.some((code) => code !== 0)) {
        throw new Error(`${order[i]!.name} exited ${r.exit_codes.find((code) => code !== 0)}`);
      }
      return [order[i]!.name, { wall: r.median * 1000, cpu: (r.user + r.system) * 1000 }];
    }),
  );
};

const build = (cwd: string, args: ReadonlyArray<string>) =>
  execFileSync(process.execPath, [...args], { cwd, stdio: ["ignore", "ignore", "inherit"] });

const hyperfine = ensureHyperfine();
build(`${repo}apps/cli`, ["scripts/bundle.ts"]);
build(`${repo}apps/watcher`, ["../../scripts/bundle.ts", "miro-token-watcher", "--split"]);

const emulator = await startEmulatorProcess();
const env = {
  ...process.env,
  MIRO_API_BASE_URL: emulator.baseUrl,
  MIRO_ACCESS_TOKEN: emulator.accessToken,
};
const dir = mkdtempSync(join(tmpdir(), "cold-start-"));
/** The 1, 5 and 15 minute load averages, as `/proc/loadavg` shows them. */
const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
const loadBefore = load();
try {
  const rounds: Array<ReadonlyMap<string, Sample>> = [];
  for (let r = 0; r < options.rounds; r++) {
    const shift = r % cases.length;
    rounds.push(round(hyperfine, [...cases.slice(shift), ...cases.slice(0, shift)], env, dir));
  }
  const of = (name: string, measure: keyof Sample) => rounds.map((s) => s.get(name)![measure]);
  const rows = cases.map(({ name }) => {
    const ratios = (measure: keyof Sample) => {
      const base = of(BASELINE, measure);
      return median(of(name, measure).map((value, i) => value / base[i]!));
    };
    return {
      name,
      wallMs: median(of(name, "wall")),
      cpuMs: median(of(name, "cpu")),
      wallRatio: ratios("wall"),
      cpuRatio: ratios("cpu"),
    };
  });
  const loadAfter = load();
  console.log(
    `\ncold start, hyperfine -N, ${options.rounds} rounds x ${options.runs} runs (+${options.warmup} warm-up); load average ${loadBefore} before, ${loadAfter} after`,
  );
  const width = Math.max(...rows.map((row) => row.name.length));
  console.log(`${"case".padEnd(width)}  wall median   vs node   CPU (u+s)   vs node`);
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(width)}  ${`${row.wallMs.toFixed(1)} ms`.padStart(11)}  ${formatRatio(row.wallRatio).padStart(8)}  ${`${row.cpuMs.toFixed(1)} ms`.padStart(10)}  ${formatRatio(row.cpuRatio).padStart(8)}`,
    );
  }
  const row = (name: string) => rows.find((r) => r.name === name)!;
  const targets: ReadonlyArray<Target> = [
    { name: "miro-token --help, CPU", ratio: row("miro-token --help").cpuRatio, limit: 2.5 },
    { name: "miro-token --help, wall", ratio: row("miro-token --help").wallRatio, limit: 2.5 },
    { name: "miro-token info, CPU", ratio: row("miro-token info").cpuRatio, limit: 3.5 },
    { name: "miro-token info, wall", ratio: row("miro-token info").wallRatio, limit: 3.5 },
  ];
  const missed = printTargets(targets);
  writeResults("cold-start", {
    options,
    load: { before: loadBefore, after: loadAfter },
    rows,
    targets,
  });
  if (strict && missed > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
  await emulator.stop();
}
