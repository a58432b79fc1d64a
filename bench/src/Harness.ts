/**
 * A/B-interleaved benchmark harness: every case runs one batch per round, in a rotating order,
 * so drift of the machine (thermal, GC, other load) hits every case alike. Reports the median of
 * the per-round medians of per-call time, and each case's ratio to a named baseline.
 */
import { performance } from "node:perf_hooks";
import { median } from "./Stats.ts";

/** One contender: `run` performs exactly one operation. */
export interface BenchCase {
  readonly name: string;
  readonly run: () => Promise<unknown>;
}

/** How long to measure. */
export interface HarnessOptions {
  readonly rounds: number;
  readonly callsPerRound: number;
  readonly warmupCalls: number;
}

/** The measured result of one case. */
export interface CaseResult {
  readonly name: string;
  /** Median over rounds of the per-round median per-call time, in microseconds. */
  readonly medianMicros: number;
  /** `medianMicros` divided by the baseline's. */
  readonly ratio: number;
}

const timeBatch = async (run: () => Promise<unknown>, calls: number): Promise<number> => {
  const samples: Array<number> = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await run();
    samples.push((performance.now() - start) * 1000);
  }
  return median(samples);
};

/** Runs every case interleaved and returns results in the given order, ratios to `baseline`. */
export const runInterleaved = async (
  cases: ReadonlyArray<BenchCase>,
  baseline: string,
  options: HarnessOptions,
): Promise<ReadonlyArray<CaseResult>> => {
  for (const c of cases) {
    for (let i = 0; i < options.warmupCalls; i++) await c.run();
  }
  const perRound = new Map<string, Array<number>>(cases.map((c) => [c.name, []]));
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(round + k) % cases.length]!;
      perRound.get(c.name)!.push(await timeBatch(c.run, options.callsPerRound));
    }
  }
  const medians = new Map(cases.map((c) => [c.name, median(perRound.get(c.name)!)]));
  const base = medians.get(baseline);
  if (base === undefined) throw new Error(`unknown baseline case ${baseline}`);
  return cases.map((c) => ({
    name: c.name,
    medianMicros: medians.get(c.name)!,
    ratio: medians.get(c.name)! / base,
  }));
};

/** How long to measure CPU per call. */
export interface CpuOptions {
  readonly rounds: number;
  /** Calls per case per round, sequential. */
  readonly sequentialCalls: number;
  /** Calls per case per round with `inFlight` calls outstanding at a time. */
  readonly concurrentCalls: number;
  readonly inFlight: number;
  readonly warmupCalls: number;
}

/** One case's CPU (user + system of this process) and wall time per call, medians over rounds. */
export interface CpuResult {
  readonly name: string;
  readonly sequentialCpuMicros: number;
  readonly concurrentCpuMicros: number;
  /** Wall time per sequential call (batch time / calls), for reading beside the CPU. */
  readonly sequentialWallMicros: number;
}

interface BatchCost {
  readonly cpuMicros: number;
  readonly wallMicros: number;
}

const cpuMicrosOf = (usage: NodeJS.CpuUsage): number => usage.user + usage.system;

/** `calls` calls, `inFlight` at a time; CPU and wall time per call. */
const costOfBatch = async (
  run: () => Promise<unknown>,
  calls: number,
  inFlight: number,
): Promise<BatchCost> => {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < calls) {
      next += 1;
      await run();
    }
  };
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(inFlight, calls) }, worker));
  const wallMicros = ((performance.now() - start) * 1000) / calls;
  return { cpuMicros: cpuMicrosOf(process.cpuUsage(cpu0)) / calls, wallMicros };
};

/**
 * CPU per call of every case, sequential and with `inFlight` calls outstanding, interleaved
 * round by round like {@link runInterleaved}. CPU time is the client process's own, so the
 * machine's wake-up latency (which dominates wall time on a shared VM) does not enter it.
 */
export const runCpuInterleaved = async (
  cases: ReadonlyArray<BenchCase>,
  options: CpuOptions,
): Promise<ReadonlyArray<CpuResult>> => {
  for (const c of cases) await costOfBatch(c.run, options.warmupCalls, options.inFlight);
  const samples = new Map(
    cases.map((c) => [
      c.name,
      { sequential: [] as Array<BatchCost>, concurrent: [] as Array<number> },
    ]),
  );
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(round + k) % cases.length]!;
      const mine = samples.get(c.name)!;
      mine.sequential.push(await costOfBatch(c.run, options.sequentialCalls, 1));
      mine.concurrent.push(
        (await costOfBatch(c.run, options.concurrentCalls, options.inFlight)).cpuMicros,
      );
    }
  }
  return cases.map((c) => {
    const mine = samples.get(c.name)!;
    return {
      name: c.name,
      sequentialCpuMicros: median(mine.sequential.map((s) => s.cpuMicros)),
      concurrentCpuMicros: median(mine.concurrent),
      sequentialWallMicros: median(mine.sequential.map((s) => s.wallMicros)),
    };
  });
};
