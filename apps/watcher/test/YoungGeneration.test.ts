/**
 * The bin's young-generation cap (`src/YoungGeneration.ts`), in real Node processes: V8 grows
 * the new space of a busy process far past the cap without it, stops at the cap with it, and a
 * Node flag that sizes the young generation itself wins over it.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const CHILD = fileURLToPath(new URL("./fixtures/YoungGenerationChild.ts", import.meta.url));

const run = async (env: Record<string, string>, flags: ReadonlyArray<string> = []) => {
  const { stdout } = await promisify(execFile)(process.execPath, [...flags, CHILD], {
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  return JSON.parse(stdout.trim()) as { outcome: string; medianMb: number; lastMb: number };
};

describe("capYoungGeneration", () => {
  it("stops the new space at twice the semi-space cap; without it V8 grows it further", async () => {
    const uncapped = await run({});
    const capped = await run({ CAP_MB: "2" });
    expect(capped.outcome).toBe("capped");
    expect(capped.medianMb).toBe(4);
    expect(capped.lastMb).toBe(4);
    expect(uncapped.lastMb).toBeGreaterThan(16);
  }, 60_000);

  it("leaves the young generation alone when a Node flag sizes it", async () => {
    const result = await run({ CAP_MB: "1" }, ["--max-semi-space-size=8"]);
    expect(result.outcome).toBe("user");
    expect(result.lastMb).toBeGreaterThan(4);
    const fromOptions = await run({ CAP_MB: "1", NODE_OPTIONS: "--max-semi-space-size=8" });
    expect(fromOptions.outcome).toBe("user");
  }, 60_000);
});
