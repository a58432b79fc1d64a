/**
 * Temporary files and directories for tests, removed when the process exits.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = mkdtempSync(join(tmpdir(), "miro-token-cli-test-"));
process.once("exit", () => rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** A fresh path under the test directory (nothing created). */
export const tempPath = (name = "file"): string => join(root, `${++counter}-${name}`);

/** Write `content` to a fresh file (mode 0600) and return its path. */
export const writeTempFile = async (content: string | Uint8Array): Promise<string> => {
  const path = tempPath();
  await writeFile(path, content, { mode: 0o600 });
  return path;
};
