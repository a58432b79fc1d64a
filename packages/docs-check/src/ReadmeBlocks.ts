/**
 * Finds the fenced code blocks of the repository's READMEs and reads what each one is for, so
 * the tests can compile every TypeScript block and run the runnable ones. The info string after
 * the fence says it:
 *
 * - ` ```ts ` — a complete module: type-checked, then run against the emulator (exit 0).
 * - ` ```ts service ` — a complete module that runs until stopped: type-checked and run; a
 *   moment after its first output it must still be running, then SIGTERM must end it with 0.
 * - ` ```ts compile ` — a complete module that needs a server the checker does not start (a
 *   PostgreSQL): type-checked only.
 * - ` ```ts fragment ` — statements out of context: type-checked inside a generator body with
 *   the declared prelude (`FragmentPrelude.ts`), never run. A fragment has no imports.
 * - ` ```sh run ` — run with bash (`-euo pipefail`) against the emulator; it must exit 0.
 * - ` ```sh service ` — the same for a block whose last command keeps running: a while after
 *   its first output it must still be running (every earlier command succeeded), then its
 *   process group is sent SIGTERM.
 * - ` ```json ` — parsed: one JSON document, or NDJSON (one document per line). Other `sh` blocks (installs, commands that need real Miro) are shown only.
 *
 * Any other word after `ts` is refused, so a typo cannot turn a check off.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** How a block is checked. */
export type BlockKind =
  | "module"
  | "service"
  | "compile"
  | "fragment"
  | "shell"
  | "shellService"
  | "json"
  | "shown";

/** One fenced block of one README. */
export interface ReadmeBlock {
  /** The README's path relative to the repository root. */
  readonly readme: string;
  /** 1-based line of the first line of code (the line after the opening fence). */
  readonly line: number;
  readonly language: string;
  readonly kind: BlockKind;
  readonly code: string;
}

/** A block whose info string names no known check. */
export class UnknownMarkerError extends Error {
  override readonly name = "UnknownMarkerError";
}

const TS_KINDS: Readonly<Record<string, BlockKind>> = {
  "": "module",
  service: "service",
  compile: "compile",
  fragment: "fragment",
};

const kindOf = (language: string, marker: string, where: string): BlockKind => {
  if (language === "ts" || language === "typescript") {
    const kind = TS_KINDS[marker];
    if (kind === undefined) {
      throw new UnknownMarkerError(`${where}: unknown marker "${marker}" on a ts block`);
    }
    return kind;
  }
  if (language === "sh" && marker === "run") return "shell";
  if (language === "sh" && marker === "service") return "shellService";
  if (language === "json") return "json";
  return "shown";
};

/** Every fenced block of `markdown` (`readme` names it in positions and messages). */
export const blocksOf = (readme: string, markdown: string): ReadonlyArray<ReadmeBlock> => {
  const lines = markdown.split("\n");
  const blocks: Array<ReadmeBlock> = [];
  let open: { language: string; marker: string; start: number; fence: string } | undefined;
  let body: Array<string> = [];
  lines.forEach((text, index) => {
    if (open === undefined) {
      const fence = /^(```+)\s*([A-Za-z]*)\s*(.*?)\s*$/.exec(text);
      if (fence !== null) {
        open = {
          fence: fence[1] ?? "```",
          language: fence[2] ?? "",
          marker: fence[3] ?? "",
          start: index + 2,
        };
        body = [];
      }
      return;
    }
    if (text.trimEnd() === open.fence) {
      const where = `${readme}:${open.start - 1}`;
      blocks.push({
        readme,
        line: open.start,
        language: open.language,
        kind: kindOf(open.language, open.marker, where),
        code: body.join("\n"),
      });
      open = undefined;
      return;
    }
    body.push(text);
  });
  return blocks;
};

/** The READMEs of the repository: the root one and those of `packages/*` and `apps/*`. */
export const readmePaths = (root: string): ReadonlyArray<string> => {
  const inside = (folder: string) =>
    fs
      .readdirSync(path.join(root, folder), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => path.join(folder, entry.name, "README.md"))
      .filter((readme) => fs.existsSync(path.join(root, readme)))
      .sort();
  return ["README.md", ...inside("packages"), ...inside("apps")];
};

/** Every block of every README under `root`. */
export const repositoryBlocks = (root: string): ReadonlyArray<ReadmeBlock> =>
  readmePaths(root).flatMap((readme) =>
    blocksOf(readme, fs.readFileSync(path.join(root, readme), "utf8")),
  );
