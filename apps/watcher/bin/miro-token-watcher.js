#!/usr/bin/env node
// Launcher for the `miro-token-watcher` binary. Installed from npm it runs the compiled
// `dist/bin.js` (`pnpm build`, plain tsc). Inside this repository without a build it runs the
// TypeScript source with Node 24's type stripping; sibling packages then resolve to their
// sources only under the `@miro-token/source` condition, which needs a Node flag, so the
// launcher re-executes Node with it in a child process and forwards SIGTERM/SIGINT to it
// (the child shuts down gracefully and its exit code becomes ours).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

const built = new URL("../dist/bin.js", import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const source = new URL("../src/bin.ts", import.meta.url);
  const child = spawn(
    process.execPath,
    ["--conditions=@miro-token/source", source.pathname, ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("exit", (code, signal) => {
    process.exit(code ?? (signal === null ? 1 : 128));
  });
}
