#!/usr/bin/env node
// Launcher for the `miro-token-emulator` binary: the built module when installed from npm,
// the TypeScript source (run by Node 24's type stripping) inside this repository.
import { existsSync } from "node:fs";

const built = new URL("../dist/bin.js", import.meta.url);
await import(existsSync(built) ? built.href : new URL("../src/bin.ts", import.meta.url).href);
