/**
 * Side-by-side tables of `WatcherBench.ts`: a plaintext and a sealed store
 * (`--compare-encryption`), and this checkout beside another (`--compare-with DIR`: the other
 * checkout's soak watcher, on the same emulator and the same seeded store in one run, so the
 * ratios hold on a machine others share).
 */
import type { SoakResult } from "./WatcherScenario.ts";

const mb = (bytes: number) => bytes / 1024 / 1024;

/** Prints and returns the plaintext and sealed runs side by side (`--compare-encryption`). */
export const sideBySide = (
  plain: SoakResult,
  sealed: SoakResult,
  tokens: number,
  minutes: number,
) => {
  const row = (r: SoakResult) => ({
    probesPerCpuSecond: r.probes / r.cpuSeconds,
    cpuCores: r.cpuSeconds / r.windowSeconds,
    maxRssMb: mb(r.maxRss),
    rssAtEndMb: mb(r.rssAtEnd),
    states: r.states,
  });
  const both = { plaintext: row(plain), sealed: row(sealed) };
  const ratio = both.sealed.probesPerCpuSecond / both.plaintext.probesPerCpuSecond;
  const line = (name: string, a: string, b: string) =>
    console.log(`${name.padEnd(24)} ${a.padStart(12)} ${b.padStart(12)}`);
  console.log(`\nencryption at rest, ${tokens} tokens, ${minutes} min each`);
  line("", "plaintext", "sealed");
  line(
    "probes per CPU-second",
    both.plaintext.probesPerCpuSecond.toFixed(0),
    both.sealed.probesPerCpuSecond.toFixed(0),
  );
  line("CPU (cores)", both.plaintext.cpuCores.toFixed(3), both.sealed.cpuCores.toFixed(3));
  line("max RSS (MB)", both.plaintext.maxRssMb.toFixed(0), both.sealed.maxRssMb.toFixed(0));
  line("RSS at end (MB)", both.plaintext.rssAtEndMb.toFixed(0), both.sealed.rssAtEndMb.toFixed(0));
  console.log(`sealed / plaintext probes per CPU-second: ${ratio.toFixed(3)}`);
  console.log(`states at end, sealed   ${JSON.stringify(sealed.states)}`);
  return { ...both, ratio };
};

/** This checkout beside another (`--compare-with DIR`), on the same emulator in one run. */
export const compareVersions = (
  ours: SoakResult,
  theirs: SoakResult,
  undici: number,
  tokens: number,
  baseline: string,
) => {
  const row = (r: SoakResult) => ({
    probesPerCpuSecond: r.probes / r.cpuSeconds,
    ofRawUndici: r.probes / r.cpuSeconds / undici,
    maxRssMb: mb(r.maxRss),
    heapAtEndMb: mb(r.heapAtEnd),
    heapPerTokenKb: (r.heapAtEnd - r.heapBefore) / tokens / 1024,
    heapGrowthAfterSampleMb: mb(r.heapAtEnd - r.heapAtSample),
    loopDelayP99Ms: r.loopDelayP99Ms,
    states: r.states,
  });
  const both = { baseline: row(theirs), ours: row(ours) };
  const line = (name: string, a: string, b: string) =>
    console.log(`${name.padEnd(30)} ${a.padStart(12)} ${b.padStart(12)}`);
  console.log(`\nthis checkout beside ${baseline}, ${tokens} tokens, one run`);
  line("", "baseline", "this");
  const fixed = (key: keyof ReturnType<typeof row>, digits: number) =>
    line(
      key,
      (both.baseline[key] as number).toFixed(digits),
      (both.ours[key] as number).toFixed(digits),
    );
  fixed("probesPerCpuSecond", 0);
  fixed("ofRawUndici", 3);
  fixed("maxRssMb", 0);
  fixed("heapAtEndMb", 1);
  fixed("heapPerTokenKb", 2);
  fixed("heapGrowthAfterSampleMb", 1);
  fixed("loopDelayP99Ms", 1);
  console.log(`states at end, baseline ${JSON.stringify(theirs.states)}`);
  return both;
};
