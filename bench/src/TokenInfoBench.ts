/**
 * Token info, side by side (the first part of `pnpm bench`): token-info calls against the
 * emulator running in its own process, every contender interleaved round by round.
 *
 * Two tables: wall time per sequential call (ratios to raw `node:http` keep-alive), and CPU per
 * call of this process, sequential and with 16 calls in flight (ratios to raw undici). CPU per
 * call is the figure the client's own work decides; wall time on a shared VM also carries the
 * machine's wake-up latency. Both are printed with the targets of issue 12 and written as JSON
 * to `bench/results/`.
 *
 * Flags: `--quick` for a short run, `--cpu-only` to skip the wall-time table, `--before <ref>`
 * to add the client as it was at git ref `<ref>` to the CPU table, side by side in this run
 * (rows named `before ...`, see `Baseline.ts`).
 */
import { baselineClients } from "./Baseline.ts";
import { startEmulatorProcess } from "./EmulatorProcess.ts";
import { type CpuResult, runCpuInterleaved, runInterleaved } from "./Harness.ts";
import { effectClient, promiseClient, type TransportName } from "./OurClients.ts";
import { type OwnedCase, officialClient, rawFetch, rawNodeHttp, rawUndici } from "./RawClients.ts";
import {
  printCpuResults,
  printResults,
  printTargets,
  type Target,
  writeResults,
} from "./Report.ts";
import { startStandInServer } from "./StandInServer.ts";
import { formatMicros } from "./Stats.ts";

const BASELINE = "raw node:http keep-alive";
const CPU_BASELINE = "raw undici Pool";
const IN_FLIGHT = 16;
const quick = process.argv.includes("--quick");
const cpuOnly = process.argv.includes("--cpu-only");
const beforeFlag = process.argv.indexOf("--before");
const beforeRef = beforeFlag === -1 ? undefined : process.argv[beforeFlag + 1];
const options = quick
  ? { rounds: 5, callsPerRound: 100, warmupCalls: 100 }
  : { rounds: 15, callsPerRound: 400, warmupCalls: 500 };
const cpuOptions = quick
  ? { rounds: 5, sequentialCalls: 200, concurrentCalls: 800, inFlight: IN_FLIGHT, warmupCalls: 300 }
  : {
      rounds: 9,
      sequentialCalls: 500,
      concurrentCalls: 2000,
      inFlight: IN_FLIGHT,
      warmupCalls: 1000,
    };

const emulator = await startEmulatorProcess();
const target = { baseUrl: emulator.baseUrl, accessToken: emulator.accessToken };
const standIn = await startStandInServer();
const cpuTarget = { baseUrl: standIn.baseUrl, accessToken: standIn.accessToken };
const ours: Array<TransportName> = ["node", "fetch", "ky"];
const oursCases = (on: typeof target) =>
  ours.flatMap((t) => [effectClient(on, t), promiseClient(on, t)]);
const wallCases: Array<OwnedCase> = cpuOnly
  ? []
  : [
      rawNodeHttp(target),
      rawUndici(target),
      rawFetch(target),
      officialClient(target),
      ...oursCases(target),
    ];
const cpuCases: Array<OwnedCase> = [
  rawUndici(cpuTarget),
  rawFetch(cpuTarget),
  officialClient(cpuTarget),
  ...oursCases(cpuTarget),
  ...(beforeRef === undefined
    ? []
    : await baselineClients(beforeRef, "before", cpuTarget, ["node", "fetch", "ky"])),
];

/** The goals of issue 12 on CPU per call, Effect and promise facade alike. */
const cpuTargets = (results: ReadonlyArray<CpuResult>): ReadonlyArray<Target> => {
  const at = (name: string) => results.find((r) => r.name === name)!;
  const undici = at(CPU_BASELINE);
  const fetch = at("raw fetch");
  const official = at("official @mirohq/miro-api");
  return (["Effect", "promise"] as const).flatMap((style) => {
    const node = at(`miro-token ${style} over node`);
    const overFetch = at(`miro-token ${style} over fetch`);
    return [
      {
        name: `CPU ${style} over node / raw undici, sequential`,
        ratio: node.sequentialCpuMicros / undici.sequentialCpuMicros,
        limit: 1.3,
      },
      {
        name: `CPU ${style} over node / raw undici, ${IN_FLIGHT} in flight`,
        ratio: node.concurrentCpuMicros / undici.concurrentCpuMicros,
        limit: 1.5,
      },
      {
        name: `CPU ${style} over fetch / raw fetch, sequential`,
        ratio: overFetch.sequentialCpuMicros / fetch.sequentialCpuMicros,
        limit: 1.3,
      },
      {
        name: `CPU ${style} over fetch / raw fetch, ${IN_FLIGHT} in flight`,
        ratio: overFetch.concurrentCpuMicros / fetch.concurrentCpuMicros,
        limit: 1.3,
      },
      {
        name: `CPU ${style} over node / official, ${IN_FLIGHT} in flight (goal 1/3)`,
        ratio: node.concurrentCpuMicros / official.concurrentCpuMicros,
        limit: 0.333,
      },
    ];
  });
};

try {
  let wall: Record<string, unknown> = {};
  if (!cpuOnly) {
    const results = await runInterleaved(wallCases, BASELINE, options);
    printResults(
      `token info, sequential wall time, ${options.rounds} rounds x ${options.callsPerRound} calls`,
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
    wall = { options, results, targets };
  }
  const cpu = await runCpuInterleaved(cpuCases, cpuOptions);
  printCpuResults(
    `token info, CPU per call, ${cpuOptions.rounds} rounds x ${cpuOptions.sequentialCalls} sequential / ${cpuOptions.concurrentCalls} at ${IN_FLIGHT} in flight`,
    cpu,
    CPU_BASELINE,
    IN_FLIGHT,
  );
  const targets = cpuTargets(cpu);
  printTargets(targets);
  writeResults("token-info", { wall, cpu: { options: cpuOptions, results: cpu, targets } });
} finally {
  for (const c of [...wallCases, ...cpuCases]) await c.close();
  await emulator.stop();
  await standIn.stop();
}
