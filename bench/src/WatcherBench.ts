/**
 * The watcher benchmark: `miro-token-watcher` (in this process) watching 10,000 tokens of a
 * file store against the emulator in its own process (rate limit lifted, ~1% injected faults as
 * RELIABILITY target 20 asks). Reports probes per CPU-second and RSS per watched token, next to
 * the floor: token-info calls per CPU-second of raw undici and raw node:http keep-alive, and of
 * core's client alone, against the same emulator. Also checks target 20 at full scale (heap
 * after GC at the end <= 1.2x minute one, event-loop delay p99 < 100 ms, RSS < 300 MB, CPU < 1
 * core) and target 21's "no live handle after dispose".
 *
 *   node --conditions=@miro-token/source bench/src/WatcherBench.ts            # 10,000 x 2 min
 *   node --conditions=@miro-token/source bench/src/WatcherBench.ts --quick    # 2,000 x 30 s
 *   node --conditions=@miro-token/source bench/src/WatcherBench.ts --soak     # 10,000 x 10 min
 *
 * Options: `--tokens N`, `--minutes M`, `--interval-seconds S` (default 60: ~167 probes/s).
 * Results go to `bench/results/watcher.json`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { arch, cpus, platform, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { TokenStore } from "@miro-token/core";
import { Effect, Redacted } from "effect";
import { startWatcher } from "../../apps/watcher/src/Watcher.ts";
import { FileTokenStore } from "../../packages/store-file/src/index.ts";
import { startEmulatorProcess } from "./EmulatorProcess.ts";
import { effectClient } from "./OurClients.ts";
import { type OwnedCase, rawNodeHttp, rawUndici } from "./RawClients.ts";
import { median } from "./Stats.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => bytes / 1024 / 1024;

const { values } = parseArgs({
  options: {
    quick: { type: "boolean" },
    soak: { type: "boolean" },
    tokens: { type: "string" },
    minutes: { type: "string" },
    "interval-seconds": { type: "string" },
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
const directory = mkdtempSync(join(tmpdir(), "watcher-bench-"));

try {
  console.log(`issuing and storing ${tokens} tokens ...`);
  const clock = (await (await fetch(`${emulator.baseUrl}/__emulator/clock`)).json()) as {
    now: number;
  };
  const ids = Array.from({ length: tokens }, (_, i) => i);
  await Effect.runPromise(
    Effect.gen(function* () {
      const store = yield* TokenStore;
      yield* Effect.forEach(
        ids,
        (i) =>
          Effect.gen(function* () {
            const issued = (yield* Effect.promise(() =>
              control("tokens", { userId: String(3_074_457_000_000_000_000n + BigInt(i)) }),
            )) as { accessToken: string; refreshToken?: string; expiresIn?: number; scope: string };
            yield* store.compareAndSet(`bench-${i}`, 0, {
              accessToken: Redacted.make(issued.accessToken),
              ...(issued.refreshToken === undefined
                ? {}
                : { refreshToken: Redacted.make(issued.refreshToken) }),
              expiresAt: clock.now + (issued.expiresIn ?? 3_599) * 1000,
              scopes: issued.scope.split(" "),
            });
          }),
        { concurrency: 32, discard: true },
      );
    }).pipe(Effect.provide(FileTokenStore.layer({ directory }))),
  );

  // ~1% of the probe rate as faults, rotating 503, reset and 429 (Retry-After 1 s).
  const faults = [
    { kind: "status", status: 503 },
    { kind: "reset" },
    { kind: "status", status: 429, headers: { "retry-after": "1" } },
  ];
  const faultEveryMs = Math.max(50, Math.round(100_000 / (tokens / (intervalMs / 1000))));
  let faultCount = 0;
  const injector = setInterval(() => {
    void control("faults", { route: "token-info", fault: faults[faultCount++ % faults.length] });
  }, faultEveryMs);

  const heapBefore = heapAfterGc();
  const rssBefore = process.memoryUsage().rss;
  console.log(
    `watching ${tokens} tokens every ${intervalMs / 1000} s for ${minutes} min (faults every ${faultEveryMs} ms) ...`,
  );
  let statusLines = 0;
  const watcher = await startWatcher({
    store: FileTokenStore.layer({ directory }),
    port: 0,
    output: (line) => {
      if (line.includes('"event":"status"')) statusLines += 1;
    },
    miro: { baseUrl: emulator.baseUrl },
    watch: { interval: intervalMs, concurrency: 16 },
  });
  const probesSoFar = async () => {
    const text = await (await fetch(`${watcher.url}/metrics`)).text();
    return [
      ...text.matchAll(/^miro_token_watcher_requests_total\{route="token_info",[^}]*\} (\d+)$/gm),
    ].reduce((sum, m) => sum + Number(m[1]), 0);
  };
  const started = performance.now();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let maxRss = 0;
  const heapSamples: Array<{ minute: number; heap: number }> = [];
  const rssSampler = setInterval(() => {
    maxRss = Math.max(maxRss, process.memoryUsage().rss);
  }, 1_000);

  // The first probes are spread over one interval: measure throughput after it.
  const warmup = Math.min(intervalMs, durationMs / 2);
  await sleep(warmup);
  const windowProbes0 = await probesSoFar();
  const windowCpu0 = process.cpuUsage();
  const window0 = performance.now();
  await sleep(sampleAtMs - warmup);
  const heapAtSample = heapAfterGc();
  heapSamples.push({ minute: sampleAtMs / 60_000, heap: heapAtSample });
  while (performance.now() - started < durationMs - 30_000) {
    await sleep(30_000);
    heapSamples.push({ minute: (performance.now() - started) / 60_000, heap: heapAfterGc() });
  }
  await sleep(Math.max(0, durationMs - (performance.now() - started)));
  const windowCpu = process.cpuUsage(windowCpu0);
  const windowSeconds = (performance.now() - window0) / 1000;
  const windowProbes = (await probesSoFar()) - windowProbes0;
  const heapAtEnd = heapAfterGc();
  const rssAtEnd = process.memoryUsage().rss;
  heapSamples.push({ minute: (performance.now() - started) / 60_000, heap: heapAtEnd });
  clearInterval(rssSampler);
  clearInterval(injector);
  delay.disable();
  const states: Record<string, number> = {};
  for (const row of watcher.board.snapshot()) states[row.state] = (states[row.state] ?? 0) + 1;
  const { clean } = await watcher.close("bench end");
  await sleep(100);
  const handlesAfterClose = process.getActiveResourcesInfo();
  // The emulator's child process and its stdio pipes are still ours to hold here.
  const leftHandles = handlesAfterClose.filter(
    (h) => h !== "PipeWrap" && h !== "TTYWrap" && h !== "ProcessWrap",
  );

  const cpuSeconds = (windowCpu.user + windowCpu.system) / 1e6;
  const tail = heapSamples.filter((s) => s.minute >= sampleAtMs / 60_000);
  const slope =
    tail.length < 2
      ? 0
      : (mb(tail.at(-1)!.heap) - mb(tail[0]!.heap)) / (tail.at(-1)!.minute - tail[0]!.minute);
  const watcherResult = {
    tokens,
    intervalSeconds: intervalMs / 1000,
    minutes,
    statusLines,
    states,
    probesInWindow: windowProbes,
    windowSeconds,
    probesPerSecond: windowProbes / windowSeconds,
    cpuSeconds,
    cpuCores: cpuSeconds / windowSeconds,
    probesPerCpuSecond: windowProbes / cpuSeconds,
    rssBeforeMb: mb(rssBefore),
    rssAtEndMb: mb(rssAtEnd),
    maxRssMb: mb(maxRss),
    rssPerTokenKb: (rssAtEnd - rssBefore) / tokens / 1024,
    heapPerTokenKb: (heapAtEnd - heapBefore) / tokens / 1024,
    heapAtSampleMb: mb(heapAtSample),
    heapAtEndMb: mb(heapAtEnd),
    heapSlopeMbPerMinute: slope,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
    clean,
    handlesAfterClose,
  };

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
    ["no live handle after close", leftHandles.join(",") || "none", leftHandles.length === 0],
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
  console.log(`states at end            ${JSON.stringify(states)}`);
  console.log("\nfloor: token-info calls per CPU-second (sequential)");
  for (const f of floor) {
    const ratio = f.callsPerCpuSecond / watcherResult.probesPerCpuSecond;
    console.log(
      `${f.name.padEnd(30)} ${f.callsPerCpuSecond.toFixed(0).padStart(7)}  (${ratio.toFixed(2)}x the watcher)`,
    );
  }
  console.log("\ntarget 20/21");
  for (const [name, value, ok] of checks) {
    console.log(`${name.padEnd(34)} ${value.padEnd(24)} ${verdict(ok)}`);
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
    new URL("watcher.json", resultsDir),
    `${JSON.stringify({ date: new Date().toISOString(), machine, watcher: watcherResult, floor, checks }, null, 2)}\n`,
  );
  console.log("\nwritten: bench/results/watcher.json");
  if (checks.some(([, , ok]) => !ok)) process.exitCode = 1;
} finally {
  await emulator.stop();
  rmSync(directory, { recursive: true, force: true });
}
