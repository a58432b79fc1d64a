/**
 * The floors and the incumbent our client is measured against: one token-info call made with
 * raw `node:http` keep-alive, raw undici, raw `fetch`, and Miro's official `@mirohq/miro-api`
 * client. Each reads and parses the JSON body, as our client does.
 */
import { Agent, request } from "node:http";
import { MiroLowlevelApi } from "@mirohq/miro-api";
import { Pool } from "undici";
import type { BenchCase } from "./Harness.ts";

/** What every case needs to call token info against the emulator. */
export interface Target {
  readonly baseUrl: string;
  readonly accessToken: string;
}

/** Resources a case holds open, closed after the run. */
export interface OwnedCase extends BenchCase {
  readonly close: () => Promise<void>;
}

const ok = (status: number | undefined): void => {
  if (status !== 200) throw new Error(`token info answered ${status}`);
};

/** Raw `node:http` with a keep-alive agent: the floor. */
export const rawNodeHttp = (target: Target): OwnedCase => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL("/v1/oauth-token", target.baseUrl);
  const headers = { authorization: `Bearer ${target.accessToken}` };
  return {
    name: "raw node:http keep-alive",
    run: () =>
      new Promise((resolve, reject) => {
        const req = request(url, { agent, headers }, (res) => {
          const chunks: Array<Buffer> = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            ok(res.statusCode);
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          });
          res.on("error", reject);
        });
        req.on("error", reject);
        req.end();
      }),
    close: async () => agent.destroy(),
  };
};

/**
 * Raw undici `Pool.request`, with no cap on sockets (as the node transport's default), so
 * concurrent calls each get a connection instead of queueing behind one.
 */
export const rawUndici = (target: Target): OwnedCase => {
  const pool = new Pool(new URL(target.baseUrl).origin);
  const headers = { authorization: `Bearer ${target.accessToken}` };
  return {
    name: "raw undici Pool",
    run: async () => {
      const res = await pool.request({ method: "GET", path: "/v1/oauth-token", headers });
      ok(res.statusCode);
      return res.body.json();
    },
    close: () => pool.close(),
  };
};

/** Raw global `fetch`. */
export const rawFetch = (target: Target): OwnedCase => {
  const url = `${target.baseUrl}/v1/oauth-token`;
  const headers = { authorization: `Bearer ${target.accessToken}` };
  return {
    name: "raw fetch",
    run: async () => {
      const res = await fetch(url, { headers });
      ok(res.status);
      return res.json();
    },
    close: async () => {},
  };
};

/** Miro's official client, `MiroLowlevelApi(token, baseUrl).tokenInfo()`. */
export const officialClient = (target: Target): OwnedCase => {
  const api = new MiroLowlevelApi(target.accessToken, target.baseUrl);
  return {
    name: "official @mirohq/miro-api",
    run: async () => {
      const { response } = await api.tokenInfo();
      ok(response.status);
    },
    close: async () => {},
  };
};
