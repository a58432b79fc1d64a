import { defineConfig, mergeConfig } from "vitest/config";
import { sharedConfig } from "../../vitest.shared.ts";

// One scenario file at a time: target 16 drives 1,000 tokens over real HTTP and is timed on
// simulated time, so it should not compete for the two cores with the other scenarios.
export default mergeConfig(sharedConfig, defineConfig({ test: { fileParallelism: false } }));
