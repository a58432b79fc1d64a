// Adds up every package's vitest JSON report (`.vitest/results.json`, written by the shared
// vitest config) and prints one closing line for the whole repository: "N passed, N failed".
// Exits non-zero when no test ran at all, so an empty run cannot pass as green.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
for (const group of ["packages", "apps"]) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const report = join(dir, name, ".vitest", "results.json");
    if (!existsSync(report)) continue;
    const results = JSON.parse(readFileSync(report, "utf8"));
    passed += results.numPassedTests;
    failed += results.numFailedTests;
    skipped += results.numPendingTests + results.numTodoTests;
  }
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exit(passed === 0 || failed > 0 ? 1 : 0);
