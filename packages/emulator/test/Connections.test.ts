/**
 * Connection hygiene: keep-alive reuse without growing sockets, close() ending drips and delays,
 * and listening on a chosen host and port.
 */
import { Agent } from "node:http";
import { describe, expect, it } from "vitest";
import { startEmulator } from "../src/index.ts";
import { INVENTED_VARIANTS, rawRequest, seedOf, useEmulator, waitFor } from "./support.ts";

describe("connections", () => {
  const emulator = useEmulator({ variants: INVENTED_VARIANTS });

  it("serves 200 keep-alive requests over one socket without growing connections", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const headers = { authorization: `Bearer ${seedOf(emulator()).tokens.accessToken}` };
    const sockets = new Set<unknown>();
    try {
      for (let i = 0; i < 200; i++) {
        const { status, socket } = await rawRequest(emulator(), "/v1/oauth-token", {
          headers,
          agent,
        });
        expect(status).toBe(200);
        sockets.add(socket);
      }
      expect(sockets.size).toBe(1);
      expect(await emulator().connectionCount()).toBe(1);
      expect(emulator().requests).toHaveLength(200);
    } finally {
      agent.destroy();
    }
  });

  it("close() ends a dripping response and resolves", async () => {
    emulator().queueFault("token-info", { kind: "drip", intervalMs: 50, bytesPerTick: 1 });
    const response = await fetch(`${emulator().baseUrl}/v1/oauth-token`);
    expect(response.status).toBe(401);
    const body = response.text();
    const started = performance.now();
    await emulator().close();
    await expect(body).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("close() interrupts a long delay", async () => {
    emulator().queueFault("any", { kind: "delay", ms: 60_000 });
    const pending = fetch(`${emulator().baseUrl}/v1/oauth-token`);
    await waitFor(() => emulator().requests.length === 1);
    await emulator().close();
    await expect(pending).rejects.toThrow();
  });

  it("listens on the requested host and port", async () => {
    const first = await startEmulator({ seed: false });
    const port = first.port;
    await first.close();
    const second = await startEmulator({ port, host: "127.0.0.1", seed: false });
    try {
      expect(second.port).toBe(port);
      expect(second.baseUrl).toBe(`http://127.0.0.1:${port}`);
      expect(second.seed).toBeUndefined();
    } finally {
      await second.close();
    }
  });
});
