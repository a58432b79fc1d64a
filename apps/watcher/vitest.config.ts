import { defineConfig, mergeConfig } from "vitest/config";
import { sharedConfig } from "../../vitest.shared.ts";

// One test file at a time: the soak and the browser test load both cores, and the timing
// assertions of the other files (revocation within one interval) must not share them.
// The global setup installs Debian's Chromium when it is missing (scripts/provision).
export default mergeConfig(
  sharedConfig,
  defineConfig({ test: { fileParallelism: false, globalSetup: ["./test/provision.ts"] } }),
);
