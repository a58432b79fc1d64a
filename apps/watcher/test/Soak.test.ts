/**
 * RELIABILITY targets 20 (memory soak) and 21 (no leaks on dispose) at CI scale, as the watcher
 * issue sets it: 10,000 tokens for 2 minutes at the target's request rate (~167 probes/s, each
 * token every 60 s) with about 1% injected faults (503, connection reset, 429 with
 * Retry-After), the watcher in its own process with `--expose-gc`. Pass: heap after GC at the
 * end <= 1.2x the heap at minute one, event-loop delay p99 < 100 ms, flat RSS after minute one, CPU <
 * 1 core, the heap per token beyond its token set and the RSS under issue 12's bounds, no token lost to a terminal state, a clean close, the watcher collected (WeakRef), no
 * live handle left: the process exits on its own. `SOAK_TOKENS` and `SOAK_DURATION_MS` scale
 * it down for a quick local run; the 10-minute soak runs from `pnpm bench`
 * (bench/src/WatcherBench.ts --soak).
 */
import { startEmulator } from "@miro-token/emulator";
import { describe, expect, it } from "vitest";
import { cleanupsAfterEach, tempDir, tokenSetOf, writeTokens } from "./Fixtures.ts";
import { spawnSoakWatcher } from "./fixtures/SoakLaunch.ts";

const TOKENS = Number(process.env.SOAK_TOKENS ?? 10_000);
const DURATION_MS = Number(process.env.SOAK_DURATION_MS ?? 120_000);
/** Each token's probe interval that makes ~167 probes a second in all (RELIABILITY target 20). */
const INTERVAL_MS = Math.round((TOKENS / 167) * 1000);
/**
 * Issue 12's cost per token, with a fixed part for what does not grow with the tokens: the
 * heap beyond the decoded token set (the watcher's record, status, board row and metrics;
 * measured 2.5-3.2 KB per token at 10,000, 8.3 KB in all on the per-token fibers before), and
 * the RSS. The RSS is mostly fixed: ~140 MB for a process running from TypeScript sources
 * before the first token (~80 MB of it the Node binary's pages), the old space's headroom, and
 * the young generation, which the bin caps at 16 MB (`src/YoungGeneration.ts`; it grew to 128
 * MB before). Measured with the cap at 10,000 tokens: max RSS 237 MB quiet, 313 MB under load
 * average 10-15 (358-375 MB before the cap); heap beyond the set 2.5-3.2 KB per token. The RSS
 * bound keeps ~10% over the loaded figure.
 */
const HEAP_FIXED_BYTES = 6 * 1024 * 1024;
const HEAP_PER_TOKEN_BYTES = 3 * 1024;
const RSS_BASE_BYTES = 265 * 1024 * 1024;
const RSS_PER_TOKEN_BYTES = 8 * 1024;

const cleanups = cleanupsAfterEach();

describe("soak at CI scale (targets 20 and 21)", () => {
  it(
    `${TOKENS} tokens for ${DURATION_MS / 1000} s: flat heap, responsive loop, clean dispose`,
    async () => {
      const dir = tempDir("watcher-soak-");
      cleanups.push(dir.cleanup);
      const emulator = await startEmulator({ accessTokenTtlSeconds: 7_200 });
      cleanups.push(() => emulator.close());
      const at = emulator.clock.now();
      const entries = Array.from({ length: TOKENS }, (_, i) => ({
        id: `soak-${i}`,
        tokenSet: tokenSetOf(
          emulator.issueTokens({ userId: String(3_074_457_000_000_000_000n + BigInt(i)) }),
          at,
        ),
      }));
      await writeTokens(dir.path, entries);

      // ~1% of ~167 requests/s: two faults a second, rotating through three kinds.
      const faults = [
        { kind: "status", status: 503 },
        { kind: "reset" },
        { kind: "status", status: 429, headers: { "retry-after": "1" } },
      ] as const;
      let next = 0;
      const injector = setInterval(() => {
        emulator.queueFault("token-info", faults[next++ % faults.length]!);
      }, 500);
      cleanups.push(() => clearInterval(injector));

      const client = emulator.seed!.client;
      const run = spawnSoakWatcher({
        store: dir.path,
        baseUrl: emulator.baseUrl,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        durationMs: DURATION_MS,
        sampleAtMs: DURATION_MS / 2,
        intervalMs: INTERVAL_MS,
        warmupMs: INTERVAL_MS,
        graceSeconds: 120,
        stderr: "pipe",
      });
      cleanups.push(() => {
        if (run.child.exitCode === null) run.child.kill("SIGKILL");
      });
      const code = await run.exit;
      const exitedAfter = Date.now() - run.printedAt();
      // Known, outside this package: a store-file read interrupted while its `open` is pending
      // (every loop is interrupted at close) leaves that FileHandle to the GC, which closes it
      // with this warning. Anything else on stderr fails the test.
      const unexpected = run
        .stderr()
        .split("\n")
        .filter(
          (line) =>
            line !== "" &&
            !/Warning: Closing file descriptor \d+ on garbage collection/.test(line) &&
            !line.includes("DEP0137") &&
            !line.includes("--trace-warnings"),
        );
      expect(unexpected).toEqual([]);
      expect(code).toBe(0);
      const r = JSON.parse(run.stdout().trim()) as {
        tokens: number;
        states: Record<string, number>;
        probes: number;
        windowSeconds: number;
        cpuSeconds: number;
        heapBefore: number;
        tokenSetHeap: number;
        heapAtSample: number;
        heapAtEnd: number;
        maxRss: number;
        rssAtStart: number;
        rssAtSample: number;
        rssAtEnd: number;
        loopDelayP99Ms: number;
        clean: boolean;
        closeMs: number;
        collected: boolean;
        handles: Array<string>;
      };
      console.log(`soak: ${JSON.stringify(r)}`);

      expect(r.tokens).toBe(TOKENS);
      for (const state of ["Invalid", "ReauthorizeRequired", "Revoked", "Stopped", "Pending"]) {
        expect(r.states[state] ?? 0).toBe(0);
      }
      // Probing kept its pace after the first interval (over which first probes are spread).
      expect(r.probes).toBeGreaterThan(((TOKENS * r.windowSeconds) / (INTERVAL_MS / 1000)) * 0.8);
      // Target 20.
      expect(r.heapAtEnd).toBeLessThanOrEqual(1.2 * r.heapAtSample);
      expect(r.loopDelayP99Ms).toBeLessThan(100);
      // RSS stays flat after minute one (no growth a heap snapshot could miss: buffers, sockets).
      expect(r.rssAtEnd).toBeLessThanOrEqual(1.1 * r.rssAtSample);
      // Issue 12's cost per token (see the bounds above; bench/README.md has the full figures).
      const heapBeyondSet = r.heapAtEnd - r.heapBefore - r.tokenSetHeap;
      expect(heapBeyondSet).toBeLessThan(HEAP_FIXED_BYTES + TOKENS * HEAP_PER_TOKEN_BYTES);
      expect(r.maxRss).toBeLessThan(RSS_BASE_BYTES + TOKENS * RSS_PER_TOKEN_BYTES);
      expect(r.cpuSeconds / r.windowSeconds).toBeLessThan(1);
      // Target 21.
      expect(r.clean).toBe(true);
      expect(r.closeMs).toBeLessThan(5_000);
      expect(r.collected).toBe(true);
      expect(r.handles.filter((h) => h !== "PipeWrap" && h !== "TTYWrap")).toEqual([]);
      expect(exitedAfter).toBeLessThan(2_000);
    },
    DURATION_MS + 180_000,
  );
});
