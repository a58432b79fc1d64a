/**
 * The shared options' choices and defaults as plain values, apart from their `effect/cli`
 * declarations (`GlobalOptions.ts`), so that what runs without the command tree (`info`'s fast
 * path, the client layer) reads them without loading `effect/cli`.
 */

/**
 * The transports `--transport` can choose: `node` is transport-node over node:http (its
 * `node-http` entry, which never loads undici), `undici` transport-node's undici engine.
 */
export const TRANSPORTS = ["node", "undici", "fetch", "ky"] as const;

/**
 * @default "node" (node:http: a one-request command starts ~50 ms of CPU sooner than over
 * `fetch`, whose first call loads Node's internal undici and compiles its WebAssembly parser)
 */
export type TransportName = (typeof TRANSPORTS)[number];

/** Defaults, shown in help and used when a flag is absent. */
export const GLOBAL_DEFAULTS = {
  transport: "node" as TransportName,
  timeout: "10s",
  retries: 2,
  baseUrl: "https://api.miro.com",
} as const;
