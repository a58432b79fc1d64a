/**
 * Issue 10, point 3: the HTTP surface answers only allowed Host headers (DNS rebinding: 421),
 * needs an access token beyond loopback (refuses to start without one), takes it only as
 * `Authorization: Bearer`, and never shows it: not in a response, the metrics or the NDJSON log.
 */
import { request } from "node:http";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { canaryToken, findLeaks } from "@miro-token/testkit";
import { Redacted } from "effect";
import { describe, expect, it } from "vitest";
import { type HttpAccess, isLoopbackBind, makeAccessCheck } from "../src/HttpAccess.ts";
import {
  cleanupsAfterEach,
  issueAndStore,
  startBoardServer,
  startSyncedEmulator,
  startTestWatcher,
  tempDir,
} from "./Fixtures.ts";

const ACCESS = canaryToken();
const cleanups = cleanupsAfterEach();

const serve = async (host: string, access: HttpAccess | undefined) => {
  const { server, stop } = await startBoardServer({ host, access });
  cleanups.push(stop);
  return server;
};

interface Answer {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: string;
}

/** GET with exactly these headers (fetch cannot set Host). */
const get = (
  address: string,
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const req = request({ host: address, port, path, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
        // An SSE stream never ends: its first event is enough.
        if (path === "/events" && body.includes("\n\n")) res.destroy();
      });
      const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      res.on("end", done);
      res.on("close", done);
    });
    req.on("error", reject);
    req.end();
  });

const outsideAddress = (): string | undefined =>
  Object.values(networkInterfaces())
    .flat()
    .find((nic) => nic !== undefined && nic.family === "IPv4" && !nic.internal)?.address;

describe("Host allow-list", () => {
  it("answers loopback names, the bound address and --allowed-host; 421 for any other Host", async () => {
    const server = await serve("127.0.0.1", { allowedHosts: ["watcher.internal"] });
    const port = server.port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, "127.0.0.1"]) {
      expect((await get("127.0.0.1", port, "/tokens", { host })).status).toBe(200);
    }
    expect((await get("127.0.0.1", port, "/tokens", { host: "Watcher.Internal." })).status).toBe(
      200,
    );
    for (const path of ["/", "/tokens", "/events", "/metrics", "/nowhere"]) {
      const answer = await get("127.0.0.1", port, path, { host: `rebind.example:${port}` });
      expect(answer.status, path).toBe(421);
      expect(answer.body).not.toContain("token-");
    }
    for (const host of ["127.0.0.1.evil.example", "localhost.evil.example", "evil@127.0.0.1"]) {
      expect((await get("127.0.0.1", port, "/tokens", { host })).status, host).toBe(421);
    }
    // /healthz carries no token data: probes by any name or IP keep working.
    expect((await get("127.0.0.1", port, "/healthz", { host: "rebind.example" })).status).toBe(200);
  });

  it("refuses a request without any Host (HTTP/1.0) with 421", async () => {
    const server = await serve("127.0.0.1", undefined);
    const raw = await new Promise<string>((resolve) => {
      const socket = connect(server.port, "127.0.0.1");
      let text = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        text += chunk;
      });
      socket.on("close", () => resolve(text));
      socket.end("GET /tokens HTTP/1.0\r\n\r\n");
    });
    expect(raw).toMatch(/^HTTP\/1\.1 421 /);
  });
});

describe("access token", () => {
  it("is required beyond loopback: the server refuses to start without one", async () => {
    await expect(serve("0.0.0.0", undefined)).rejects.toThrow(/--http-token-file/);
    await expect(serve("::", { allowedHosts: ["x"] })).rejects.toThrow(/beyond loopback/);
    expect(isLoopbackBind("127.0.0.1")).toBe(true);
    expect(isLoopbackBind("::1")).toBe(true);
    expect(isLoopbackBind("localhost")).toBe(true);
    expect(isLoopbackBind("0.0.0.0")).toBe(false);
  });

  it("guards every data route; /healthz and the page shell stay open", async () => {
    const server = await serve("127.0.0.1", { token: Redacted.make(ACCESS) });
    const at = (path: string, headers: Record<string, string> = {}) =>
      get("127.0.0.1", server.port, path, { host: "127.0.0.1", ...headers });
    for (const path of ["/tokens", "/events", "/metrics"]) {
      const none = await at(path);
      expect(none.status, path).toBe(401);
      expect(none.headers["www-authenticate"]).toBe('Bearer realm="miro-token-watcher"');
      expect((await at(path, { authorization: `Bearer ${ACCESS}x` })).status).toBe(401);
      expect(
        (await at(path, { authorization: `Bearer ${ACCESS.replace(/.$/, "_")}` })).status,
      ).toBe(401);
      expect((await at(path, { authorization: `Basic ${ACCESS}` })).status).toBe(401);
      expect((await at(path, { authorization: `Bearer ${ACCESS}` })).status, path).toBe(200);
    }
    // The token in a URL is never accepted.
    expect((await at(`/tokens?access=${ACCESS}`)).status).toBe(401);
    expect((await at("/healthz")).status).toBe(200);
    expect((await at("/")).status).toBe(200);
    const events = await at("/events", { authorization: `Bearer ${ACCESS}` });
    expect(events.body).toContain("event: snapshot");
  });

  it("serves beyond loopback with the token, by an allowed name only", async () => {
    const outside = outsideAddress();
    const server = await serve("0.0.0.0", {
      token: Redacted.make(ACCESS),
      allowedHosts: outside === undefined ? [] : [outside],
    });
    const address = outside ?? "127.0.0.1";
    const auth = { authorization: `Bearer ${ACCESS}` };
    expect((await get(address, server.port, "/tokens", { host: address, ...auth })).status).toBe(
      200,
    );
    expect(
      (await get(address, server.port, "/tokens", { host: "rebind.example", ...auth })).status,
    ).toBe(421);
  });

  it("compares digests: same answer whatever the length of a wrong token", () => {
    const check = makeAccessCheck("127.0.0.1", { token: Redacted.make(ACCESS) });
    expect(check.tokenRequired).toBe(true);
    for (const given of ["", "Bearer ", "Bearer x", `Bearer ${ACCESS}${"y".repeat(5000)}`]) {
      expect(check.check("/tokens", { host: "127.0.0.1", authorization: given })).toBe(
        "unauthorized",
      );
    }
    expect(check.check("/tokens", { host: "127.0.0.1", authorization: `Bearer ${ACCESS}` })).toBe(
      "ok",
    );
  });
});

describe("the access token never leaks", () => {
  it("appears in no response, metric or NDJSON line", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const { emulator, stop } = await startSyncedEmulator();
    cleanups.push(stop);
    await issueAndStore(emulator, dir.path, 2);
    const watcher = await startTestWatcher(emulator, dir.path, {
      access: { token: Redacted.make(ACCESS) },
    });
    cleanups.push(() => watcher.close().then(() => undefined));
    const port = watcher.port;
    const seen: Array<string> = [];
    for (const path of ["/", "/healthz", "/tokens", "/events", "/metrics", "/nowhere"]) {
      for (const headers of [
        { host: "127.0.0.1", authorization: `Bearer ${ACCESS}` },
        { host: "127.0.0.1", authorization: `Bearer wrong-${ACCESS.slice(0, 6)}` },
        { host: "rebind.example", authorization: `Bearer ${ACCESS}` },
      ]) {
        const answer = await get("127.0.0.1", port, path, headers);
        seen.push(answer.body, JSON.stringify(answer.headers));
      }
    }
    await watcher.close();
    seen.push(...watcher.lines);
    expect(seen.join("\n")).toContain("event: snapshot");
    expect(findLeaks(seen.join("\n"), [ACCESS])).toEqual([]);
  });
});
