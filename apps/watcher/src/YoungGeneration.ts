/**
 * A cap on V8's young generation, set by the `miro-token-watcher` bin (and by the soak fixture
 * that measures it). On a machine with a few GB of memory V8 lets each semi-space of the young
 * generation grow to 64 MB; a watcher of 10,000 tokens allocates enough survivors to grow it
 * there in its first seconds, and the new space alone then holds 128 MB of RSS, for a live heap
 * of ~60 MB (measured: bench/README.md, "Where the watcher's RSS goes").
 *
 * `--max-semi-space-size` would cap it, but V8 reads it only when the process starts, and the
 * bin is started as `node <bundle>` by npm's shims, so it cannot pass Node flags. What V8 does
 * read at run time is `--semi-space-growth-factor`, at each growth of the new space: this module
 * lets the new space double (V8's default) until it reaches the cap, then sets the factor to 1,
 * so it grows no further. A Node flag or `NODE_OPTIONS` that sizes the young
 * generation itself wins: then nothing is changed.
 *
 * @since 0.1.0
 */
import { PerformanceObserver } from "node:perf_hooks";
import v8 from "node:v8";

/**
 * The bin's cap, MB per semi-space: the new space then holds at most 16 MB. Measured at 10,000
 * tokens (bench/README.md): max RSS 284 MB uncapped, 236 / 222 / 206 MB capped at 16 / 8 / 4,
 * CPU within the run's noise.
 *
 * @since 0.1.0
 */
export const WATCHER_SEMI_SPACE_MB = 8;

/** The flags that size the young generation themselves: when one is given, it wins. */
const YOUNG_GENERATION_FLAGS =
  /--(max-semi-space-size|min-semi-space-size|semi-space-growth-factor|max-young-generation-size)\b/;

/** The new space's size now: both semi-spaces (to and from). */
const newSpaceBytes = (): number =>
  v8.getHeapSpaceStatistics().find((space) => space.space_name === "new_space")?.space_size ?? 0;

/**
 * What {@link capYoungGeneration} did: `capped` (the new space stops growing at the cap),
 * `user` (a Node flag sizes it; left alone).
 *
 * @since 0.1.0
 */
export type YoungGenerationCap = "capped" | "user";

/**
 * Stop V8's young generation from growing past `semiSpaceMb` MB per semi-space (the new space
 * then holds at most twice that), unless `execArgv` or `NODE_OPTIONS` size it. Call it once,
 * early; the observer it may start ends itself once the cap is reached (it keeps nothing alive).
 *
 * @since 0.1.0
 */
export const capYoungGeneration = (
  semiSpaceMb: number,
  execArgv: ReadonlyArray<string> = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? "",
): YoungGenerationCap => {
  if (execArgv.some((flag) => YOUNG_GENERATION_FLAGS.test(flag))) return "user";
  if (YOUNG_GENERATION_FLAGS.test(nodeOptions)) return "user";
  const capBytes = 2 * semiSpaceMb * 1024 * 1024;
  const stopGrowing = () => v8.setFlagsFromString("--semi-space-growth-factor=1");
  // A fresh process reports half its new space until the first scavenge commits the other
  // semi-space; V8's smallest new space is two 1 MB semi-spaces.
  const now = Math.max(newSpaceBytes(), 2 * 1024 * 1024);
  if (now >= capBytes) {
    stopGrowing();
    return "capped";
  }
  // V8 doubles the new space at a scavenge that finds it too small; the observer, told of each
  // collection once the event loop turns, stops the growth when it reaches the cap. (A process
  // that allocated past the cap without turning the loop could still grow it, at most up to
  // V8's own limit, the behaviour without this cap.)
  v8.setFlagsFromString("--semi-space-growth-factor=2");
  const observer = new PerformanceObserver(() => {
    if (newSpaceBytes() < capBytes) return;
    stopGrowing();
    observer.disconnect();
  });
  observer.observe({ entryTypes: ["gc"] });
  return "capped";
};
