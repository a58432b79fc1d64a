// Sequential small GETs over loopback through each node engine (and the fetch transport, for
// reference): µs per call, measured through the full Effect `send`. Run from the package:
//   node --conditions=@miro-token/source bench/engines.ts [calls]
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { HttpTransport, type TransportRequest } from "@miro-token/core";
import { FetchTransport } from "@miro-token/transport-fetch";
import { Context, Effect, Layer } from "effect";
import { NodeTransport } from "../src/index.ts";

const calls = Number(process.argv[2] ?? 5_000);
const body = JSON.stringify({
  type: "oAuthToken",
  scopes: ["boards:read"],
  team: { id: "3074457350804038700" },
});
const server = http.createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
const request: TransportRequest = {
  method: "GET",
  url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/oauth-token`,
  headers: { authorization: "Bearer bench", accept: "application/json" },
  maxBodyBytes: 1024 * 1024,
};

const batches = Math.max(1, Math.floor(calls / 200));

/** Interleaved batches of 200 calls; the machine's load hits every engine alike, and the
 * fastest batches show each engine's own cost. */
const program = Effect.gen(function* () {
  const transports: Array<readonly [string, HttpTransport["Service"]]> = [];
  for (const [name, layer] of candidates) {
    const context = yield* Layer.build(layer);
    transports.push([name, Context.get(context, HttpTransport)]);
  }
  for (const [, transport] of transports) {
    for (let i = 0; i < 500; i++) yield* transport.send(request);
  }
  const results = new Map<string, Array<number>>();
  for (let batch = 0; batch < batches; batch++) {
    for (const [name, transport] of transports) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < 200; i++) yield* transport.send(request);
      const perCall = Number(process.hrtime.bigint() - started) / 1_000 / 200;
      results.set(name, [...(results.get(name) ?? []), perCall]);
    }
  }
  return results;
});

const candidates: ReadonlyArray<readonly [string, Layer.Layer<HttpTransport>]> = [
  ["undici Agent.request", NodeTransport.layerWith({ engine: "undici" })],
  ["node:http keep-alive Agent", NodeTransport.layerWith({ engine: "node:http" })],
  ["global fetch (reference)", FetchTransport.layer],
];
const results = await Effect.runPromise(Effect.scoped(program));
console.log(
  `Node ${process.version}, ${batches} interleaved batches of 200 sequential GETs, µs/call:`,
);
for (const [name, runs] of results) {
  const sorted = [...runs].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]?.toFixed(1);
  console.log(`${name.padEnd(28)} min ${at(0)}  p25 ${at(0.25)}  median ${at(0.5)}`);
}
server.close();
