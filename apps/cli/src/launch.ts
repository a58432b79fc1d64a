/**
 * The entry of the bundled `miro-token` binary. `--help`, `-h` and `--version` print the
 * answer the build rendered through the real program (`FastOutput.ts`), so they start without
 * loading Effect; everything else imports `bin.ts`, the whole program, as its own chunk.
 */
import { type FastOutputTable, fastOutput } from "./FastOutput.ts";

/**
 * The table `scripts/fast-output.ts` renders, as JSON text: the bundler substitutes it
 * (`define`; a string stays in this chunk, where an object literal would be hoisted).
 */
declare const MIRO_TOKEN_FAST_OUTPUT: string;

const answer = fastOutput(
  JSON.parse(MIRO_TOKEN_FAST_OUTPUT) as FastOutputTable,
  process.argv.slice(2),
  () => process.stdout.isTTY === true,
  process.env.NO_COLOR,
);
if (answer === undefined) {
  await import("./bin.ts");
} else {
  process.stdout.write(answer);
}
