// Node-specific behaviour, for both engines: sockets are reused, the pools close with the
// layer's scope, and an idle-socket timeout never cuts a slow request short.
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest";
import { HttpTransport, type TransportRequest } from "@miro-token/core";
import { Context, Effect, Exit, Layer, Scope } from "effect";
import { NodeTransport } from "../src/index.ts";

let server: http.Server;
let baseUrl = "";
let connections = 0;
const open = new Set<Socket>();
let allClosed: () => void = () => undefined;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === "/slow") return void setTimeout(() => res.end("late"), 200);
    res.end("ok");
  });
  server.keepAliveTimeout = 60_000;
  server.on("connection", (socket: Socket) => {
    connections++;
    open.add(socket);
    socket.on("close", () => {
      open.delete(socket);
      if (open.size === 0) allClosed();
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => {
  server.closeAllConnections();
  connections = 0;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
});

const get = (path: string): TransportRequest => ({
  method: "GET",
  url: `${baseUrl}${path}`,
  headers: {},
  maxBodyBytes: 1024,
});

const engines = [
  ["undici", NodeTransport.layer],
  ["node:http", NodeTransport.layerWith({ engine: "node:http" })],
] as const;

describe.each(engines)("NodeTransport (%s)", (_name, layer) => {
  it.live("reuses one socket for 100 sequential requests", () =>
    Effect.gen(function* () {
      const transport = yield* HttpTransport;
      for (let i = 0; i < 100; i++) {
        expect((yield* transport.send(get("/"))).body).toBe("ok");
      }
      expect(connections).toBe(1);
    }).pipe(Effect.provide(layer)),
  );

  it.live("closes its pooled sockets when the layer's scope closes", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make();
      const context = yield* Layer.buildWithScope(layer, scope);
      const transport = Context.get(context, HttpTransport);
      yield* transport.send(get("/"));
      yield* transport.send(get("/"));
      expect(open.size).toBe(1);
      const closed = new Promise<void>((done) => {
        allClosed = done;
      });
      yield* Scope.close(scope, Exit.void);
      yield* Effect.promise(() => closed).pipe(
        Effect.timeoutOrElse({
          duration: "2 seconds",
          orElse: () => Effect.die(new Error("the pooled socket stayed open")),
        }),
      );
      expect(open.size).toBe(0);
    }),
  );

  it.live("lets a request outlive the idle keep-alive timeout", () =>
    Effect.gen(function* () {
      const transport = yield* HttpTransport;
      expect((yield* transport.send(get("/slow"))).body).toBe("late");
    }).pipe(
      Effect.provide(
        _name === "undici"
          ? NodeTransport.layerWith({ keepAliveTimeout: 50 })
          : NodeTransport.layerWith({ engine: "node:http", keepAliveTimeout: 50 }),
      ),
    ),
  );
});
