/**
 * The entry of the bundled `miro-token` binary. `--help`, `-h` and `--version` print the
 * answer the build rendered through the real program (`FastOutput.ts`), so they start without
 * loading Effect; an `info` argv that the fast reader takes (`FastArgv.ts`, from the table the
 * build derived from the program's flags) runs `info` without the command tree
 * (`InfoFastBin.ts`, a bundle of its own in `dist/info/`, tree-shaken for `info` alone: in the
 * program's split bundle it would share the chunk holding everything any command uses of core
 * and Effect); everything else imports `bin.ts`, the whole program.
 */
import type { FastArgvTable } from "./FastArgv.ts";
import { parseFastArgv } from "./FastArgv.ts";
import { type FastOutputTable, fastOutput } from "./FastOutput.ts";

/**
 * The tables `scripts/fast-output.ts` and `scripts/fast-argv.ts` render, as JSON text: the
 * bundler substitutes them (`define`; a string stays in this chunk, where an object literal
 * would be hoisted).
 */
declare const MIRO_TOKEN_FAST_OUTPUT: string;
declare const MIRO_TOKEN_FAST_ARGV: string;

const argv = process.argv.slice(2);
const answer = fastOutput(
  JSON.parse(MIRO_TOKEN_FAST_OUTPUT) as FastOutputTable,
  argv,
  () => process.stdout.isTTY === true,
  process.env.NO_COLOR,
);
if (answer !== undefined) {
  process.stdout.write(answer);
} else {
  const table = JSON.parse(MIRO_TOKEN_FAST_ARGV) as FastArgvTable;
  const parsed = parseFastArgv(table, argv);
  if (parsed === undefined) {
    await import("./bin.ts");
  } else {
    // A bundle of its own (`scripts/bundle.ts`), named by a variable so the bundler leaves it.
    const infoBundle: string = "./info/miro-token-info.js";
    const { startInfo } = (await import(infoBundle)) as typeof import("./InfoFastBin.ts");
    startInfo(argv, table, parsed);
  }
}
