/**
 * `pnpm bench`: token-info calls against the emulator running in its own process, every
 * contender interleaved round by round, medians and ratios to raw `node:http` keep-alive
 * printed as a table and written as JSON to `bench/results/`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { arch, cpus, platform } from "node:os";
import { startEmulatorProcess } from "./EmulatorProcess.ts";
import { runInterleaved } from "./Harness.ts";
import { effectClient, promiseClient, type TransportName } from "./OurClients.ts";
import { type OwnedCase, officialClient, rawFetch, rawNodeHttp, rawUndici } from "./RawClients.ts";
import { formatMicros, formatRatio } from "./Stats.ts";

const BASELINE = "raw node:http keep-alive";
const quick = process.argv.includes("--quick");
const options = quick
  ? { rounds: 5, callsPerRound: 100, warmupCalls: 100 }
  : { rounds: 15, callsPerRound: 400, warmupCalls: 500 };

const emulator = await startEmulatorProcess();
const target = { baseUrl: emulator.baseUrl, accessToken: emulator.accessToken };
const ours: Array<TransportName> = ["node", "fetch", "ky"];
const cases: Array<OwnedCase> = [
  rawNodeHttp(target),
  rawUndici(target),
  rawFetch(target),
  officialClient(target),
  ...ours.flatMap((t) => [effectClient(target, t), promiseClient(target, t)]),
];

try {
  const results = await runInterleaved(cases, BASELINE, options);
  const width = Math.max(...results.map((r) => r.name.length));
  console.log(
    `\ntoken info, sequential, ${options.rounds} rounds x ${options.callsPerRound} calls`,
  );
  console.log(
    `${"case".padEnd(width)}  ${"median/call".padStart(12)}  ${"vs node:http".padStart(12)}`,
  );
  for (const r of results) {
    console.log(
      `${r.name.padEnd(width)}  ${formatMicros(r.medianMicros).padStart(12)}  ${formatRatio(r.ratio).padStart(12)}`,
    );
  }
  const at = (name: string) => results.find((r) => r.name === name)!.medianMicros;
  const targets = [
    ["ours over node / raw node:http", at("miro-token Effect over node") / at(BASELINE), 1.3],
    ["ours over fetch / raw fetch", at("miro-token Effect over fetch") / at("raw fetch"), 1.1],
    ["ours over ky / raw fetch", at("miro-token Effect over ky") / at("raw fetch"), 1.2],
    [
      "official / ours over node",
      at("official @mirohq/miro-api") / at("miro-token Effect over node"),
      undefined,
    ],
  ] as const;
  console.log("\ntargets");
  for (const [name, ratio, limit] of targets) {
    const verdict =
      limit === undefined ? "" : ratio <= limit ? `  <= ${limit}x  met` : `  > ${limit}x  MISSED`;
    console.log(`${name.padEnd(34)} ${formatRatio(ratio)}${verdict}`);
  }
  const resultsDir = new URL("../results/", import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  const machine = {
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
  };
  writeFileSync(
    new URL("token-info.json", resultsDir),
    `${JSON.stringify({ date: new Date().toISOString(), machine, options, results, targets }, null, 2)}\n`,
  );
  console.log(`\nwritten: bench/results/token-info.json`);
} finally {
  for (const c of cases) await c.close();
  await emulator.stop();
}
