/**
 * Every code block of every README (root, `packages/*`, `apps/*`) is compiled under the
 * repository's strict settings, and run where it runs: TypeScript modules and `sh run` blocks
 * against a fresh emulator over loopback, each in its own directory whose `./tokens` store holds
 * one token (`alice`), with `MIRO_API_BASE_URL`, `MIRO_CLIENT_ID`, `MIRO_CLIENT_SECRET` and
 * `MIRO_ACCESS_TOKEN` set. A broken snippet fails here with its `README.md:line`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Emulator, startEmulator } from "@miro-token/emulator";
import { FileTokenStore } from "@miro-token/store-file";
import { Effect, Redacted } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReadmeBlock, repositoryBlocks } from "../src/ReadmeBlocks.ts";
import { type SnippetFile, typeCheck, writeSnippets } from "../src/SnippetFiles.ts";
import { binDirectory, runModule, runShell } from "../src/SnippetRun.ts";

const ROOT = path.join(import.meta.dirname, "../../..");
const SNIPPETS = path.join(import.meta.dirname, "../.snippets");
const blocks = repositoryBlocks(ROOT);
const TYPED: ReadonlyArray<ReadmeBlock["kind"]> = ["module", "service", "compile", "fragment"];
const typed = blocks.filter((block) => TYPED.includes(block.kind));
let files: ReadonlyArray<SnippetFile> = [];
let emulator: Emulator;
let scratch: string;
let bin: string;

beforeAll(async () => {
  files = writeSnippets(SNIPPETS, typed);
  emulator = await startEmulator();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "docs-check-"));
  bin = binDirectory(path.join(scratch, "bin"));
});

afterAll(async () => {
  await emulator.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

const where = (block: ReadmeBlock) => `${block.readme}:${block.line}`;

/** A fresh directory and environment for one snippet: a new token, a store holding it. */
const sandbox = async (block: ReadmeBlock) => {
  const cwd = fs.mkdtempSync(path.join(scratch, `${path.basename(path.dirname(block.readme))}-`));
  const client = emulator.seed?.client;
  if (client === undefined) throw new Error("the emulator has no seeded client");
  const issued = emulator.issueTokens({ clientId: client.clientId });
  const store = await Effect.runPromise(
    FileTokenStore.make({ directory: path.join(cwd, "tokens") }),
  );
  await Effect.runPromise(
    store.compareAndSet("alice", 0, {
      accessToken: Redacted.make(issued.accessToken),
      ...(issued.refreshToken === undefined
        ? {}
        : { refreshToken: Redacted.make(issued.refreshToken) }),
      expiresAt: emulator.clock.now() + (issued.expiresIn ?? 3600) * 1000,
      scopes: issued.scope.split(" "),
    }),
  );
  const own = emulator.issueTokens({ clientId: client.clientId });
  const env = {
    HOME: cwd,
    MIRO_API_BASE_URL: emulator.baseUrl,
    MIRO_CLIENT_ID: client.clientId,
    MIRO_CLIENT_SECRET: client.clientSecret,
    MIRO_ACCESS_TOKEN: own.accessToken,
    MIRO_REFRESH_TOKEN: own.refreshToken ?? "",
  };
  return { cwd, env };
};

describe("README code blocks", () => {
  it("finds the blocks of every README", () => {
    const readmes = new Set(blocks.map((block) => block.readme));
    expect(readmes).toContain("README.md");
    expect(readmes).toContain("packages/core/README.md");
    expect(readmes).toContain("apps/watcher/README.md");
    expect(typed.length).toBeGreaterThan(10);
  });

  it("parses every JSON block as one document or as NDJSON", () => {
    const broken = blocks
      .filter((block) => block.kind === "json")
      .filter((block) => {
        try {
          JSON.parse(block.code);
          return false;
        } catch {
          const lines = block.code.split("\n").filter((line) => line.trim() !== "");
          return !lines.every((line) => {
            try {
              JSON.parse(line);
              return true;
            } catch {
              return false;
            }
          });
        }
      });
    expect(broken.map(where)).toEqual([]);
  });

  it("type-checks every TypeScript block under the repository's strict settings", async () => {
    const diagnostics = await typeCheck(SNIPPETS, files);
    expect(diagnostics.map((d) => `${d.at}: ${d.message}`)).toEqual([]);
  });

  /** How long after its first output a service is stopped; absent: it must end by itself. */
  const STOP_AFTER: Partial<Record<ReadmeBlock["kind"], number>> = {
    service: 2_000,
    shellService: 8_000,
  };
  const RUNNABLE: ReadonlyArray<ReadmeBlock["kind"]> = [
    "module",
    "service",
    "shell",
    "shellService",
  ];

  for (const block of blocks.filter((b) => RUNNABLE.includes(b.kind))) {
    it(`runs ${where(block)} against the emulator`, async () => {
      const { cwd, env } = await sandbox(block);
      const stopAfterMs = STOP_AFTER[block.kind];
      const options = { cwd, env, timeoutMs: 60_000, stopAfterMs };
      const shell = block.kind === "shell" || block.kind === "shellService";
      const file = files.find((f) => f.block === block)?.file ?? "";
      const result = shell
        ? await runShell(block.code, bin, options)
        : await runModule(file, options);
      const report = `${where(block)} exited ${result.code ?? result.signal}:\n${result.output}`;
      if (stopAfterMs !== undefined) expect(result.stillRunning, report).toBe(true);
      // A shell's SIGTERM ends bash by the signal; a module must handle it and exit 0.
      if (block.kind !== "shellService") expect(result.code, report).toBe(0);
    });
  }
});
