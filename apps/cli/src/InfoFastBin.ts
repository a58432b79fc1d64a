/**
 * The `miro-token info` process when the binary's entry (`launch.ts`) read its argv by the fast
 * table: `info` without the command tree (`commands/InfoFast.ts`), with Node's stdio, the only
 * service it uses, and the same process handling as the whole program (`ProcessRun.ts`).
 */
import * as NodeStdio from "@effect/platform-node/NodeStdio";
import { runInfoFast } from "./commands/InfoFast.ts";
import type { FastArgv, FastArgvTable } from "./FastArgv.ts";
import { runProcess } from "./ProcessRun.ts";

/** Run `info` for `argv` as the process. */
export const startInfo = (
  argv: ReadonlyArray<string>,
  table: FastArgvTable,
  parsed: FastArgv,
): void => runProcess(runInfoFast(argv, table, parsed), NodeStdio.layer);
