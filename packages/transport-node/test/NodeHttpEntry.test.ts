// The node:http-only entry must not load undici: that is its whole point (a CLI that sends one
// request would pay for loading undici at every start). Checked in a fresh Node process, where
// every CommonJS module loaded (undici is one) is listed in `require.cache`. And plain http
// requests must not load node:https (TLS and crypto): Node lists its built-ins as it loads them.
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

describe("the node:http engine", () => {
  it("loads node:https only for an https: request", () => {
    const loaded = execFileSync(
      process.execPath,
      [
        "--conditions=@miro-token/source",
        "--input-type=module",
        "-e",
        `import * as http from "node:http";
         import { HttpTransport } from "@miro-token/core";
         import { NodeHttpTransport } from "@miro-token/transport-node/node-http";
         import { Effect } from "effect";
         const server = http.createServer((_, res) => res.end("ok"));
         await new Promise((done) => server.listen(0, "127.0.0.1", done));
         const send = (url) => Effect.runPromise(
           Effect.flatMap(HttpTransport, (t) => t.send({ method: "GET", url, headers: {}, maxBodyBytes: 1024 }))
             .pipe(Effect.provide(NodeHttpTransport.layer), Effect.exit));
         await send("http://127.0.0.1:" + server.address().port + "/");
         const before = process.moduleLoadList.includes("NativeModule https");
         await send("https://127.0.0.1:" + server.address().port + "/");
         server.close();
         process.stdout.write(JSON.stringify([before, process.moduleLoadList.includes("NativeModule https")]));`,
      ],
      { cwd: root, encoding: "utf8" },
    );
    expect(JSON.parse(loaded)).toEqual([false, true]);
  });
});
