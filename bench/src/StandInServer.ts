/**
 * A stand-in for Miro's token-info endpoint, in its own process, for measuring the client's CPU
 * per call: it answers `GET /v1/oauth-token` with the emulator's body and rate-limit headers
 * and does nothing else (no request log, no rate limiting, no faults), so it answers as fast as
 * Node can and the client's own work is what the measurement sees. Run directly it serves and
 * prints `{ baseUrl, accessToken }`; {@link startStandInServer} spawns it.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { type EmulatorProcess, spawnWithStartLine } from "./EmulatorProcess.ts";

/** What the emulator answers for a valid token (its seeded organization, team and user). */
const BODY = JSON.stringify({
  type: "oAuthToken",
  organization: { type: "organization", name: "Emulated Organization", id: "3458764843847964471" },
  team: { type: "team", name: "Emulated Team", id: "3074457843847964471" },
  createdBy: { type: "user", name: "Emulated User", id: "3074457585991204407" },
  user: { type: "user", name: "Emulated User", id: "3074457585991204407" },
  scopes: ["boards:read", "boards:write"],
});

const serve = (): void => {
  const accessToken = randomBytes(24).toString("base64url");
  const expected = `Bearer ${accessToken}`;
  const length = String(Buffer.byteLength(BODY));
  let remaining = 1_000_000_000;
  const server = createServer((req, res) => {
    if (req.url !== "/v1/oauth-token" || req.headers.authorization !== expected) {
      res.writeHead(401, { "content-type": "application/json" }).end('{"status":401}');
      return;
    }
    remaining -= 1;
    res.writeHead(200, {
      "content-type": "application/json;charset=UTF-8",
      "content-length": length,
      "x-ratelimit-limit": "1000000000",
      "x-ratelimit-remaining": String(remaining),
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 60),
    });
    res.end(BODY);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    console.log(JSON.stringify({ baseUrl: `http://127.0.0.1:${address.port}`, accessToken }));
  });
};

/** Spawns the stand-in server and waits for its start line. */
export const startStandInServer = async (): Promise<EmulatorProcess> => {
  const { start, stop } = await spawnWithStartLine(fileURLToPath(import.meta.url), []);
  return { ...start, stop };
};

if (process.argv[1] === fileURLToPath(import.meta.url)) serve();
