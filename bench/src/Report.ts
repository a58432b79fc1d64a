/**
 * How every benchmark reports: a table of medians and ratios, the targets with a verdict, and
 * the run written as JSON (with the machine it ran on) to `bench/results/`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { arch, cpus, platform } from "node:os";
import type { CaseResult, CpuResult } from "./Harness.ts";
import { formatMicros, formatRatio } from "./Stats.ts";

/** One target: a measured ratio and, where there is one, its limit. */
export interface Target {
  readonly name: string;
  readonly ratio: number;
  readonly limit?: number | undefined;
}

/** Prints the results as aligned columns: case, median (as `formatMedian` shows it), ratio. */
export const printResults = (
  title: string,
  results: ReadonlyArray<CaseResult>,
  baseline: string,
  formatMedian: (micros: number) => string,
): void => {
  const width = Math.max(4, ...results.map((r) => r.name.length));
  console.log(`\n${title}`);
  console.log(
    `${"case".padEnd(width)}  ${"median".padStart(12)}  ${`vs ${baseline}`.padStart(14)}`,
  );
  for (const r of results) {
    console.log(
      `${r.name.padEnd(width)}  ${formatMedian(r.medianMicros).padStart(12)}  ${formatRatio(r.ratio).padStart(14)}`,
    );
  }
};

/**
 * Prints the CPU-per-call table: sequential and concurrent CPU per call, each with its ratio to
 * `baseline`'s, and the wall time per sequential call beside them.
 */
export const printCpuResults = (
  title: string,
  results: ReadonlyArray<CpuResult>,
  baseline: string,
  inFlight: number,
): void => {
  const base = results.find((r) => r.name === baseline);
  if (base === undefined) throw new Error(`unknown baseline case ${baseline}`);
  const width = Math.max(4, ...results.map((r) => r.name.length));
  const columns = ["CPU seq", "ratio", `CPU ${inFlight} in flight`, "ratio", "wall seq"];
  console.log(`\n${title} (ratios to ${baseline})`);
  console.log(`${"case".padEnd(width)}  ${columns.map((c) => c.padStart(16)).join("")}`);
  for (const r of results) {
    const cells = [
      formatMicros(r.sequentialCpuMicros),
      formatRatio(r.sequentialCpuMicros / base.sequentialCpuMicros),
      formatMicros(r.concurrentCpuMicros),
      formatRatio(r.concurrentCpuMicros / base.concurrentCpuMicros),
      formatMicros(r.sequentialWallMicros),
    ];
    console.log(`${r.name.padEnd(width)}  ${cells.map((c) => c.padStart(16)).join("")}`);
  }
};

/** Prints each target with `met` or `MISSED`; returns how many were missed. */
export const printTargets = (targets: ReadonlyArray<Target>): number => {
  const width = Math.max(...targets.map((t) => t.name.length));
  console.log("\ntargets");
  let missed = 0;
  for (const { name, ratio, limit } of targets) {
    const met = limit === undefined || ratio <= limit;
    if (!met) missed += 1;
    const verdict =
      limit === undefined ? "" : met ? `  <= ${limit}x  met` : `  > ${limit}x  MISSED`;
    console.log(`${name.padEnd(width)}  ${formatRatio(ratio)}${verdict}`);
  }
  return missed;
};

/** Writes `bench/results/<name>.json`: the date, the machine and `data`. */
export const writeResults = (name: string, data: Record<string, unknown>): void => {
  const directory = new URL("../results/", import.meta.url);
  mkdirSync(directory, { recursive: true });
  const machine = {
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
  };
  const document = { date: new Date().toISOString(), machine, ...data };
  writeFileSync(new URL(`${name}.json`, directory), `${JSON.stringify(document, null, 2)}\n`);
  console.log(`\nwritten: bench/results/${name}.json`);
};
