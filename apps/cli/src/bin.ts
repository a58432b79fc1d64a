/**
 * The `miro-token` process: runs `runCli` on the real argv with Node's services, and exits
 * with its code (`ProcessRun.ts`).
 */
import { runCli } from "./Main.ts";
import * as NodeEnvironment from "./NodeEnvironment.ts";
import { runProcess } from "./ProcessRun.ts";

runProcess(runCli(process.argv.slice(2)), NodeEnvironment.layer);
