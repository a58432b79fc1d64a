/**
 * A small receiving app for webhook tests: an HTTP server on port 0 that records every
 * request (headers and body) and answers as told: a status, or `hang` (never answers, like a
 * receiver that is slow when the sender dies).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as received. */
export interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A running receiver. `answer` can be changed at any time. */
export interface Receiver {
  readonly url: string;
  readonly received: Array<Received>;
  answer: number | "hang";
  readonly close: () => Promise<void>;
}

/** A secret in Standard Webhooks form (24 random-looking bytes). */
export const TEST_SECRET = `whsec_${Buffer.from("test-webhook-secret-24by").toString("base64")}`;

/** Start a receiver answering `answer` (default 204). */
export const startReceiver = async (answer: number | "hang" = 204): Promise<Receiver> => {
  const hanging = new Set<ServerResponse>();
  const received: Array<Received> = [];
  const state = { answer };
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      received.push({ path: req.url ?? "/", headers: req.headers, body });
      if (state.answer === "hang") {
        hanging.add(res);
        return;
      }
      const status = state.answer;
      res.writeHead(status, status >= 300 && status < 400 ? { location: "/elsewhere" } : {});
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/miro`,
    received,
    get answer() {
      return state.answer;
    },
    set answer(value) {
      state.answer = value;
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

/** The three Standard Webhooks headers of a request, as `standardwebhooks` wants them. */
export const webhookHeaders = (request: Received): Record<string, string> => ({
  "webhook-id": String(request.headers["webhook-id"]),
  "webhook-timestamp": String(request.headers["webhook-timestamp"]),
  "webhook-signature": String(request.headers["webhook-signature"]),
});
