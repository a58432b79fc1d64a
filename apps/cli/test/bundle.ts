/**
 * vitest globalSetup: builds the bundle (`dist/`) once before any test file runs, from the
 * sources under test, so the files that spawn the built binary share one build instead of
 * racing to empty and rewrite `dist/` each.
 */
import { buildBundle } from "./BuiltBinary.ts";

/** Runs once before the CLI's test files. */
export default function setup(): void {
  buildBundle();
}
