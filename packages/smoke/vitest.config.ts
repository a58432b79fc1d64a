import { defineConfig, mergeConfig } from "vitest/config";
import { sharedConfig } from "../../vitest.shared.ts";

// Packing and `npm install` into a fresh project take a minute on a cold npm cache.
export default mergeConfig(
  sharedConfig,
  defineConfig({ test: { testTimeout: 240_000, hookTimeout: 300_000 } }),
);
