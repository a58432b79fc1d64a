/**
 * The node:http engine: one keep-alive `http.Agent` and one `https.Agent` (each pools sockets
 * per origin) and `http.request`. Response headers are read from `rawHeaders`, because the
 * `headers` object drops repeats of some names (`content-type`, `authorization`, …).
 *
 * node:https (and with it TLS and Node's crypto, ~20 ms of CPU to load) is loaded, and its agent
 * made, at the first `https:` request: a program that only talks plain http to a loopback
 * server (the emulator, a test) never pays for it.
 *
 * @since 0.1.0
 */
import * as http from "node:http";
import type * as Https from "node:https";
import type { TransportRequest } from "@miro-token/core";
import { Exchange, ResponseBody, ResponseHeaders } from "@miro-token/core";
import type { EngineOptions, NodeEngine } from "./NodeEngine.ts";

/**
 * Creates the node:http engine. Closing it destroys both agents and their sockets.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: EngineOptions): NodeEngine => {
  const agentOptions: http.AgentOptions = {
    keepAlive: true,
    // The agent applies `timeout` to idle pooled sockets (and drops them when it fires).
    timeout: options.keepAliveTimeout,
    maxSockets: options.connections ?? Number.POSITIVE_INFINITY,
  };
  const agents: { readonly http: http.Agent; https?: Https.Agent } = {
    http: new http.Agent(agentOptions),
  };
  const https = (): typeof Https => process.getBuiltinModule("node:https");
  const httpsAgent = (): Https.Agent => {
    if (agents.https === undefined) agents.https = new (https().Agent)(agentOptions);
    return agents.https;
  };
  const exchange = (request: TransportRequest, signal: AbortSignal) =>
    new Promise<Exchange.Exchanged>((resolve, reject) => {
      const url = new URL(request.url);
      const secure = url.protocol === "https:";
      const headers: Record<string, string> = { ...request.headers };
      if (request.body !== undefined && headers["content-length"] === undefined) {
        headers["content-length"] = String(Buffer.byteLength(request.body));
      }
      const req = (secure ? https() : http).request(url, {
        method: request.method,
        headers,
        agent: secure ? httpsAgent() : agents.http,
        signal,
      });
      // `on`, not `once`: a socket can report a second error after the first one.
      req.on("error", reject);
      req.on("response", (res) => {
        ResponseBody.readBodyCapped(res, request.maxBodyBytes).then((body) => {
          if (body === ResponseBody.BodyTooLarge) req.destroy();
          resolve({
            status: res.statusCode ?? 0,
            headers: ResponseHeaders.fromEntries(ResponseHeaders.pairsOfRaw(res.rawHeaders)),
            body,
          });
        }, reject);
      });
      req.end(request.body);
    });
  return {
    dispatch: Exchange.fromExchange(exchange),
    close: async () => {
      agents.http.destroy();
      agents.https?.destroy();
    },
  };
};
