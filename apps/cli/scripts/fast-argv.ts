/**
 * Prints the table `info`'s fast reader uses (`src/FastArgv.ts`), derived from the program's
 * flag declarations (`src/FastArgvTable.ts`), as JSON on stdout. `scripts/bundle.ts` runs it
 * (under the `@miro-token/source` condition) and bakes the table into the entry chunk.
 *
 *   node --conditions=@miro-token/source scripts/fast-argv.ts
 */
import { deriveFastArgvTable } from "../src/FastArgvTable.ts";

process.stdout.write(`${JSON.stringify(deriveFastArgvTable())}\n`);
