/**
 * The node transport over node:http alone (`@miro-token/transport-node/node-http`): the same
 * keep-alive `http.Agent`/`https.Agent` engine as `NodeTransport.layerWith({ engine:
 * "node:http" })`, from a module that never loads undici. A program that sends one request
 * and exits (a CLI) pays for loading undici (tens of milliseconds of CPU at start-up) and
 * gets nothing back; this entry leaves it out.
 *
 * @since 0.1.0
 */
import { HttpTransport } from "@miro-token/core";
import { Layer } from "effect";
import { DEFAULT_KEEP_ALIVE_TIMEOUT, scopedTransport } from "./NodeEngine.ts";
import * as NodeHttpEngine from "./NodeHttpEngine.ts";

/**
 * @category models
 * @since 0.1.0
 */
export interface NodeHttpTransportOptions {
  /**
   * Most sockets per origin.
   *
   * @default unlimited
   */
  readonly connections?: number | undefined;
  /**
   * How long an idle pooled socket is kept, in milliseconds.
   *
   * @default 4000
   */
  readonly keepAliveTimeout?: number | undefined;
}

/**
 * Builds the transport service and registers the closing of its agents in the current scope.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: NodeHttpTransportOptions = {}) =>
  scopedTransport(() =>
    NodeHttpEngine.make({
      connections: options.connections,
      keepAliveTimeout: options.keepAliveTimeout ?? DEFAULT_KEEP_ALIVE_TIMEOUT,
    }),
  );

/**
 * The transport with default options (unlimited sockets, 4 s keep-alive).
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<HttpTransport> = Layer.effect(HttpTransport, make());

/**
 * The transport with options.
 *
 * @example
 * ```ts
 * import { NodeHttpTransport } from "@miro-token/transport-node/node-http"
 *
 * const TransportLive = NodeHttpTransport.layerWith({ connections: 8 })
 * ```
 *
 * @category layers
 * @since 0.1.0
 */
export const layerWith = (options: NodeHttpTransportOptions): Layer.Layer<HttpTransport> =>
  Layer.effect(HttpTransport, make(options));
