/**
 * The checker itself: a broken snippet is caught and placed at its README line, a fragment is
 * checked against the prelude, an unknown marker is refused, and a snippet that fails at run
 * time fails the run. Without these, a checker that silently checks nothing would pass.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { blocksOf, UnknownMarkerError } from "../src/ReadmeBlocks.ts";
import { preludeNames, typeCheck, writeSnippets } from "../src/SnippetFiles.ts";
import { runModule } from "../src/SnippetRun.ts";

const DIR = path.join(import.meta.dirname, "../.snippets-selftest");
afterAll(() => fs.rmSync(DIR, { recursive: true, force: true }));

const README = [
  "# Demo",
  "",
  "```ts",
  'import { makeMiroConfig } from "@miro-token/core";',
  "",
  "const config = makeMiroConfig({ baseUrl: 42 });",
  "```",
  "",
  "```ts fragment",
  "const { info } = yield* TokenClient.info(Redacted.make(token));",
  "const n: number = info.user.name;",
  "```",
  "",
  "```sh",
  "pnpm add @miro-token/core",
  "```",
].join("\n");

describe("the README checker", () => {
  it("reads each block's kind and first line", () => {
    const blocks = blocksOf("demo/README.md", README);
    expect(blocks.map((b) => [b.kind, b.line])).toEqual([
      ["module", 4],
      ["fragment", 10],
      ["shown", 15],
    ]);
  });

  it("refuses a marker it does not know, so a typo cannot switch a check off", () => {
    expect(() => blocksOf("x.md", "```ts fragmnet\nconst a = 1;\n```\n")).toThrow(
      UnknownMarkerError,
    );
  });

  it("offers the prelude's names to fragments", () => {
    expect(preludeNames()).toEqual(expect.arrayContaining(["Effect", "TokenClient", "tokenSet"]));
  });

  it("reports type errors at their README line, in modules and fragments", async () => {
    const blocks = blocksOf("demo/README.md", README).filter((b) => b.kind !== "shown");
    const files = writeSnippets(DIR, blocks);
    const diagnostics = await typeCheck(DIR, files);
    const at = (line: number) => diagnostics.filter((d) => d.at === `demo/README.md:${line}`);
    expect(diagnostics).toHaveLength(2);
    expect(at(6)[0]?.message).toContain("TS2322");
    expect(at(11)[0]?.message).toContain("TS2322");
  });

  it("tells a service that stays up from one that quits", async () => {
    const source = (code: string) =>
      blocksOf(`demo/${code.length}/README.md`, `\`\`\`ts service\n${code}\n\`\`\`\n`);
    const blocks = [
      ...source(
        'const t = setInterval(() => {}, 1000);\nprocess.once("SIGTERM", () => clearInterval(t));\nconsole.log("up");',
      ),
      ...source('console.log("up");'),
    ];
    const files = writeSnippets(`${DIR}-service`, blocks);
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "docs-check-self-"));
    try {
      const options = { cwd, env: {}, timeoutMs: 20_000, stopAfterMs: 500 };
      const [stays, quits] = await Promise.all(files.map((f) => runModule(f.file, options)));
      expect([stays?.stillRunning, stays?.code]).toEqual([true, 0]);
      expect(quits?.stillRunning).toBe(false);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
      fs.rmSync(`${DIR}-service`, { recursive: true, force: true });
    }
  });

  it("fails a snippet that throws when run", async () => {
    const [block] = blocksOf("demo/README.md", '```ts\nthrow new Error("broken example");\n```\n');
    if (block === undefined) throw new Error("no block");
    const [file] = writeSnippets(`${DIR}-run`, [block]);
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "docs-check-self-"));
    try {
      const result = await runModule(file?.file ?? "", { cwd, env: {}, timeoutMs: 20_000 });
      expect(result.code).toBe(1);
      expect(result.output).toContain("broken example");
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
      fs.rmSync(`${DIR}-run`, { recursive: true, force: true });
    }
  });
});
