// Shared vitest settings: every package's tests read sibling packages from source (through the
// `@miro-token/source` export condition), so `pnpm test` needs no build first.
import { defineConfig } from "vitest/config";

/** The vitest configuration every package extends. */
export const sharedConfig = defineConfig({
  resolve: { conditions: ["@miro-token/source", "module", "node", "import", "default"] },
  ssr: { resolve: { conditions: ["@miro-token/source", "module", "node", "import", "default"] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The JSON report lets `.ci/run` print one "N passed, N failed" line for the whole repo.
    reporters: ["default", "json"],
    outputFile: { json: ".vitest/results.json" },
  },
});
