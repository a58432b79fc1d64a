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
