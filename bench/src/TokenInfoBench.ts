/**
 * Token info, side by side (the first part of `pnpm bench`): token-info calls against the emulator running in its own process, every
 * contender interleaved round by round, medians and ratios to raw `node:http` keep-alive
 * printed as a table and written as JSON to `bench/results/`.
 */
import { startEmulatorProcess } from "./EmulatorProcess.ts";
import { runInterleaved } from "./Harness.ts";
import { effectClient, promiseClient, type TransportName } from "./OurClients.ts";
import { type OwnedCase, officialClient, rawFetch, rawNodeHttp, rawUndici } from "./RawClients.ts";
import { printResults, printTargets, type Target, writeResults } from "./Report.ts";
import { formatMicros } from "./Stats.ts";

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
  printResults(
    `token info, sequential, ${options.rounds} rounds x ${options.callsPerRound} calls`,
    results,
    "node:http",
    formatMicros,
  );
  const at = (name: string) => results.find((r) => r.name === name)!.medianMicros;
  const targets: ReadonlyArray<Target> = [
    {
      name: "ours over node / raw node:http",
      ratio: at("miro-token Effect over node") / at(BASELINE),
      limit: 1.3,
    },
    {
      name: "ours over fetch / raw fetch",
      ratio: at("miro-token Effect over fetch") / at("raw fetch"),
      limit: 1.1,
    },
    {
      name: "ours over ky / raw fetch",
      ratio: at("miro-token Effect over ky") / at("raw fetch"),
      limit: 1.2,
    },
    {
      name: "official client / ours over node",
      ratio: at("official @mirohq/miro-api") / at("miro-token Effect over node"),
    },
  ];
  printTargets(targets);
  writeResults("token-info", { options, results, targets });
} finally {
  for (const c of cases) await c.close();
  await emulator.stop();
}
