// Issue 10, points 1 and 2, at the CLI: a plain-http base URL to a non-loopback host and a base
// URL with credentials are usage errors (exit 2) decided before any connection. A server that
// counts connections listens on every interface and is addressed through a non-loopback
// address of this machine: without the rule the CLI would connect to it.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonOf, run } from "./CliHarness.ts";

const PASSWORD = "pa55-canary-in-the-url";
const TOKEN = "eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_cli-base-url-canary";

/** A non-loopback IPv4 address of this machine; 0.0.0.0 (which Linux routes to us) if none. */
const outsideAddress = (): string =>
  Object.values(networkInterfaces())
    .flat()
    .find((nic) => nic !== undefined && nic.family === "IPv4" && !nic.internal)?.address ??
  "0.0.0.0";

let server: Server;
let connections = 0;
let origin: string;
beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(503, { "content-type": "application/json" }).end('{"status":503}');
  });
  server.on("connection", () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
  origin = `${outsideAddress()}:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const env = { MIRO_ACCESS_TOKEN: TOKEN };

describe("the base URL rule in the CLI", () => {
  it("refuses plain http to a non-loopback host with exit 2 and no connection", async () => {
    const before = connections;
    const result = await run(["info", "--json", "--base-url", `http://${origin}`], { env });
    expect(result.exitCode).toBe(2);
    expect(jsonOf(result)).toMatchObject({ error: { tag: "UsageError" } });
    expect(result.stdout).toContain("--allow-insecure-http");
    expect(connections - before).toBe(0);
  });

  it("refuses it from MIRO_API_BASE_URL too", async () => {
    const before = connections;
    const result = await run(["revoke"], {
      env: { ...env, MIRO_API_BASE_URL: `http://${origin}` },
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("loopback");
    expect(connections - before).toBe(0);
  });

  it("refuses credentials in the URL, never echoing them, also with --verbose", async () => {
    const before = connections;
    for (const base of [
      `http://user:${PASSWORD}@${origin}`,
      `https://user:${PASSWORD}@api.miro.com`,
    ]) {
      const result = await run(["info", "--verbose", "--allow-insecure-http", "--base-url", base], {
        env,
      });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain("credentials");
      expect(`${result.stdout}${result.stderr}`).not.toContain(PASSWORD);
    }
    expect(connections - before).toBe(0);
  });

  it("with --allow-insecure-http: connects, and warns on stderr, never on the --json stdout", async () => {
    const before = connections;
    const result = await run(
      [
        "info",
        "--json",
        "--retries",
        "0",
        "--allow-insecure-http",
        "--base-url",
        `http://${origin}`,
      ],
      { env },
    );
    expect(connections - before).toBeGreaterThan(0);
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toContain("warning: plain http:");
    expect(jsonOf(result)).toMatchObject({ ok: false });
    expect(result.stdout).not.toContain("warning");
  });

  it("keeps accepting loopback http without the flag", async () => {
    const port = (server.address() as AddressInfo).port;
    const result = await run(["info", "--retries", "0", "--base-url", `http://127.0.0.1:${port}`], {
      env,
    });
    expect(result.exitCode).toBe(5);
    expect(result.stderr).not.toContain("warning");
  });
});
