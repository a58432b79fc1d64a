import { defineConfig, mergeConfig } from "vitest/config";
import { sharedConfig } from "../../vitest.shared.ts";

// The global setup builds the bundle the spawned-binary tests run (once, before every file).
export default mergeConfig(
  sharedConfig,
  defineConfig({ test: { globalSetup: ["./test/bundle.ts"] } }),
);
