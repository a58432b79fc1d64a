// The node:http-only entry must not load undici: that is its whole point (a CLI that sends one
// request would pay for loading undici at every start). Checked in a fresh Node process, where
// every CommonJS module loaded (undici is one) is listed in `require.cache`.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

const undiciModulesAfterImporting = (specifier: string): number =>
  Number(
    execFileSync(
      process.execPath,
      [
        "--conditions=@miro-token/source",
        "--input-type=module",
        "-e",
        `import { createRequire } from "node:module";
         await import(${JSON.stringify(specifier)});
         const require = createRequire(import.meta.url);
         process.stdout.write(String(Object.keys(require.cache).filter((f) => f.includes("/undici/")).length));`,
      ],
      { cwd: root, encoding: "utf8" },
    ),
  );

describe("@miro-token/transport-node/node-http", () => {
  it("loads no undici module", () => {
    expect(undiciModulesAfterImporting("@miro-token/transport-node/node-http")).toBe(0);
  });

  it("(the main entry does: the check can see undici)", () => {
    expect(undiciModulesAfterImporting("@miro-token/transport-node")).toBeGreaterThan(0);
  });
});
