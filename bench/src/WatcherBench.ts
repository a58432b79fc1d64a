/**
 * The watcher benchmark: `miro-token-watcher` watching 10,000 tokens of a file store, in its own
 * process (`--expose-gc`; the same harness as the CI-scale soak test,
 * `apps/watcher/test/fixtures/SoakWatcher.ts`), against the emulator in another (rate limit
 * lifted, ~1% injected faults as RELIABILITY target 20 asks). This process issues and stores
 * the tokens, injects the faults and measures the floor. Reports probes per CPU-second and RSS per watched token, next to
 * the floor: token-info calls per CPU-second of raw undici and raw node:http keep-alive, and of
 * core's client alone, against the same emulator. Also checks target 20 at full scale (heap
 * after GC at the end <= 1.2x minute one, event-loop delay p99 < 100 ms, RSS < 300 MB, CPU < 1
 * core) and target 21's "no live handle after dispose".
 *
 *   node --conditions=@miro-token/source bench/src/WatcherBench.ts            # 10,000 x 2 min
 *   node --conditions=@miro-token/source bench/src/WatcherBench.ts --quick    # 2,000 x 30 s
 *   node --conditions=@miro-token/source bench/src/WatcherBench.ts --soak     # 10,000 x 10 min
 *
 * Options: `--tokens N`, `--minutes M`, `--interval-seconds S` (default 60: ~167 probes/s),
 * `--strict` (exit 1 when a target is missed), `--compare-encryption` (run the same scenario a
 * second time on a store sealed under a generated key, the keyring given to the watcher through
 * `MIRO_TOKEN_STORE_KEYS`, and print probes per CPU-second, CPU and RSS side by side; the floor
 * and the targets are the plaintext run's).
 * Results go to `bench/results/watcher.json`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startEmulatorProcess } from "./EmulatorProcess.ts";
import { effectClient } from "./OurClients.ts";
import { type OwnedCase, rawNodeHttp, rawUndici } from "./RawClients.ts";
import { writeResults } from "./Report.ts";
import { median } from "./Stats.ts";
import { compareVersions, sideBySide } from "./WatcherCompare.ts";
import { sealStore, seedStore, watchStore } from "./WatcherScenario.ts";

const mb = (bytes: number) => bytes / 1024 / 1024;

const { values } = parseArgs({
  options: {
    quick: { type: "boolean" },
    soak: { type: "boolean" },
    strict: { type: "boolean" },
    tokens: { type: "string" },
    minutes: { type: "string" },
    "interval-seconds": { type: "string" },
    "compare-encryption": { type: "boolean" },
    "compare-with": { type: "string" },
  },
});
const tokens = Number(values.tokens ?? (values.quick ? 2_000 : 10_000));
const minutes = Number(values.minutes ?? (values.quick ? 0.5 : values.soak ? 10 : 2));
const intervalMs = Number(values["interval-seconds"] ?? (values.quick ? 12 : 60)) * 1000;
const durationMs = minutes * 60_000;
// Heap is compared with its level at minute one (minute two for the 10-minute soak), or at
// half time in a run shorter than two minutes.
const sampleAtMs = values.soak ? 120_000 : Math.min(60_000, durationMs / 2);

const emulator = await startEmulatorProcess();
const control = (path: string, body: unknown) =>
  fetch(`${emulator.baseUrl}/__emulator/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  }).then(async (response) => {
    if (!response.ok) throw new Error(`emulator ${path}: ${response.status}`);
    return response.status === 204 ? undefined : response.json();
  });
const directories: Array<string> = [];
const freshDirectory = () => {
  const directory = mkdtempSync(join(tmpdir(), "watcher-bench-"));
  directories.push(directory);
  return directory;
};

try {
  const scenario = async (sealed: boolean, script?: string) => {
    const directory = freshDirectory();
    console.log(`issuing and storing ${tokens} tokens ...`);
    const accessTokens = await seedStore(emulator.baseUrl, control, tokens, directory);
    let storeKeys: string | undefined;
    if (sealed) {
      console.log(`sealing ${tokens} records under a generated key (FileRekey.rekey) ...`);
      storeKeys = await sealStore(directory, accessTokens);
    }
    return watchStore({
      baseUrl: emulator.baseUrl,
      control,
      directory,
      tokens,
      intervalMs,
      durationMs,
      sampleAtMs,
      ...(storeKeys === undefined ? {} : { storeKeys }),
      ...(script === undefined ? {} : { script }),
    });
  };
  const { result: r, exitedAfterMs } = await scenario(false);
  const sealedRun = values["compare-encryption"] ? await scenario(true) : undefined;
  const baseline = values["compare-with"];
  const baselineRun =
    baseline === undefined
      ? undefined
      : await scenario(false, resolve(baseline, "apps/watcher/test/fixtures/SoakWatcher.ts"));
  const leftHandles = r.handles.filter((h) => h !== "PipeWrap" && h !== "TTYWrap");
  const tail = r.heapSamples.filter((s) => s.minute >= sampleAtMs / 60_000 - 0.01);
  const slope =
    tail.length < 2
      ? 0
      : (mb(tail.at(-1)!.heap) - mb(tail[0]!.heap)) / (tail.at(-1)!.minute - tail[0]!.minute);
  const watcherResult = {
    tokens,
    intervalSeconds: intervalMs / 1000,
    minutes,
    statusLines: r.statusLines,
    states: r.states,
    probesInWindow: r.probes,
    windowSeconds: r.windowSeconds,
    probesPerSecond: r.probes / r.windowSeconds,
    cpuSeconds: r.cpuSeconds,
    cpuCores: r.cpuSeconds / r.windowSeconds,
    probesPerCpuSecond: r.probes / r.cpuSeconds,
    rssBeforeMb: mb(r.rssBefore),
    rssAtEndMb: mb(r.rssAtEnd),
    maxRssMb: mb(r.maxRss),
    /** Where the RSS at the end is: V8's heap (reserved), off-heap memory, the rest (code). */
    memoryAtEndMb: Object.fromEntries(
      Object.entries(r.memoryAtEnd).map(([key, bytes]) => [key, Math.round(mb(bytes))]),
    ),
    rssPerTokenKb: (r.rssAtEnd - r.rssBefore) / tokens / 1024,
    heapPerTokenKb: (r.heapAtEnd - r.heapBefore) / tokens / 1024,
    tokenSetHeapMb: mb(r.tokenSetHeap),
    heapPerTokenBeyondSetKb: (r.heapAtEnd - r.heapBefore - r.tokenSetHeap) / tokens / 1024,
    heapGrowthAfterSampleMb: mb(r.heapAtEnd - r.heapAtSample),
    heapAtSampleMb: mb(r.heapAtSample),
    heapAtEndMb: mb(r.heapAtEnd),
    heapSlopeMbPerMinute: slope,
    loopDelayP99Ms: r.loopDelayP99Ms,
    clean: r.clean,
    closeMs: r.closeMs,
    collected: r.collected,
    handlesAfterClose: r.handles,
    exitedAfterMs,
  };
  const { heapAtEnd, heapAtSample, maxRss } = r;
  const states = r.states;

  console.log("measuring the floor (sequential token-info calls, CPU per call) ...");
  const target = { baseUrl: emulator.baseUrl, accessToken: "" };
  const floorToken = (await control("tokens", {})) as { accessToken: string };
  const floorTarget = { ...target, accessToken: floorToken.accessToken };
  const floorCases: Array<OwnedCase> = [
    rawUndici(floorTarget),
    rawNodeHttp(floorTarget),
    effectClient(floorTarget, "node"),
  ];
  const floorCalls = values.quick ? 1_000 : 4_000;
  const floor: Array<{ name: string; callsPerCpuSecond: number }> = [];
  for (const c of floorCases) {
    for (let i = 0; i < 300; i++) await c.run();
    const rounds: Array<number> = [];
    for (let round = 0; round < 3; round++) {
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < floorCalls; i++) await c.run();
      const cpu = process.cpuUsage(cpu0);
      rounds.push(floorCalls / ((cpu.user + cpu.system) / 1e6));
    }
    floor.push({ name: c.name, callsPerCpuSecond: median(rounds) });
    await c.close();
  }

  const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
  const undici =
    floor.find((f) => f.name.startsWith("raw undici"))?.callsPerCpuSecond ?? Number.NaN;
  const ofUndici = watcherResult.probesPerCpuSecond / undici;
  // Issue 12's cost-per-token goals: RSS by scale, heap per token beyond the token set, a flat
  // heap after minute one, and probes per CPU-second against raw undici's calls.
  const rssGoalMb = tokens <= 10_000 ? 200 : 400;
  const costChecks: Array<[string, string, boolean]> = [
    [
      `RSS < ${rssGoalMb} MB (${tokens} tokens)`,
      `${watcherResult.maxRssMb.toFixed(0)} MB max`,
      watcherResult.maxRssMb < rssGoalMb,
    ],
    [
      "heap per token beyond the set <= 2 KB",
      `${watcherResult.heapPerTokenBeyondSetKb.toFixed(2)} KB (set ${watcherResult.tokenSetHeapMb.toFixed(1)} MB)`,
      watcherResult.heapPerTokenBeyondSetKb <= 2,
    ],
    [
      `heap growth after minute ${sampleAtMs / 60_000} <= 5%`,
      `${watcherResult.heapGrowthAfterSampleMb.toFixed(1)} MB`,
      heapAtEnd <= 1.05 * heapAtSample,
    ],
    [
      "probes/CPU-s >= 50% of raw undici",
      `${(100 * ofUndici).toFixed(0)}% (${watcherResult.probesPerCpuSecond.toFixed(0)} / ${undici.toFixed(0)})`,
      ofUndici >= 0.5,
    ],
  ];
  const checks = [
    [
      `heap at end <= 1.2x minute ${sampleAtMs / 60_000}`,
      `${watcherResult.heapAtEndMb.toFixed(1)} MB vs ${watcherResult.heapAtSampleMb.toFixed(1)} MB`,
      heapAtEnd <= 1.2 * heapAtSample,
    ],
    [
      "event-loop delay p99 < 100 ms",
      `${watcherResult.loopDelayP99Ms.toFixed(1)} ms`,
      watcherResult.loopDelayP99Ms < 100,
    ],
    ["RSS < 300 MB", `${watcherResult.maxRssMb.toFixed(0)} MB max`, maxRss < 300 * 1024 * 1024],
    ["CPU < 1 core", `${watcherResult.cpuCores.toFixed(2)} cores`, watcherResult.cpuCores < 1],
    [
      "no live handle after close",
      `${leftHandles.join(",") || "none"}; exit ${exitedAfterMs} ms`,
      leftHandles.length === 0 && r.collected && exitedAfterMs < 2_000,
    ],
    ["clean close < 5 s", `${r.closeMs} ms`, r.clean && r.closeMs < 5_000],
    ...(values.soak
      ? [
          ["heap slope < 0.5 MB/min", `${slope.toFixed(2)} MB/min`, slope < 0.5] as [
            string,
            string,
            boolean,
          ],
        ]
      : []),
  ] as Array<[string, string, boolean]>;

  console.log(`\nwatcher, ${tokens} tokens every ${intervalMs / 1000} s, ${minutes} min`);
  console.log(`probes/s                 ${watcherResult.probesPerSecond.toFixed(1)}`);
  console.log(`probes per CPU-second    ${watcherResult.probesPerCpuSecond.toFixed(0)}`);
  console.log(`RSS per watched token    ${watcherResult.rssPerTokenKb.toFixed(1)} KB`);
  console.log(`heap per watched token   ${watcherResult.heapPerTokenKb.toFixed(1)} KB`);
  console.log(`  beyond the token set   ${watcherResult.heapPerTokenBeyondSetKb.toFixed(2)} KB`);
  console.log(
    `heap growth after min ${sampleAtMs / 60_000} ${watcherResult.heapGrowthAfterSampleMb.toFixed(1)} MB`,
  );
  console.log(`memory at end (MB)       ${JSON.stringify(watcherResult.memoryAtEndMb)}`);
  console.log(`states at end            ${JSON.stringify(states)}`);
  console.log("\nfloor: token-info calls per CPU-second (sequential)");
  for (const f of floor) {
    const ratio = f.callsPerCpuSecond / watcherResult.probesPerCpuSecond;
    console.log(
      `${f.name.padEnd(30)} ${f.callsPerCpuSecond.toFixed(0).padStart(7)}  (${ratio.toFixed(2)}x the watcher)`,
    );
  }
  const encryption =
    sealedRun === undefined ? undefined : sideBySide(r, sealedRun.result, tokens, minutes);
  const versions =
    baselineRun === undefined
      ? undefined
      : compareVersions(r, baselineRun.result, undici, tokens, baseline ?? "");
  console.log("\nissue 12: cost per token (plaintext store)");
  for (const [name, value, ok] of costChecks) {
    console.log(`${name.padEnd(38)} ${value.padEnd(28)} ${verdict(ok)}`);
  }
  console.log("\ntarget 20/21 (plaintext store)");
  for (const [name, value, ok] of checks) {
    console.log(`${name.padEnd(34)} ${value.padEnd(24)} ${verdict(ok)}`);
  }

  writeResults("watcher", {
    watcher: watcherResult,
    floor,
    checks: [...costChecks, ...checks],
    ...(encryption === undefined ? {} : { encryption }),
    ...(versions === undefined ? {} : { versions }),
  });
  // Like ColdStart.ts: a missed target is reported; it fails the run only with --strict.
  if (values.strict && [...costChecks, ...checks].some(([, , ok]) => !ok)) process.exitCode = 1;
} finally {
  await emulator.stop();
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
}
