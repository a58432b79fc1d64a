/**
 * The fast `HttpTransport` for Node: keep-alive connection pools per origin, over undici's
 * `Agent.request` (the default) or node:http's keep-alive `Agent`. The pools live as long as
 * the layer: closing the layer's scope destroys them and their sockets.
 *
 * Which engine is the default was measured (sequential small GETs over loopback, see
 * `bench/engines.ts` and the README): undici's `request`.
 *
 * @since 0.1.0
 */
import { HttpTransport } from "@miro-token/core";
import { Layer } from "effect";
import { DEFAULT_KEEP_ALIVE_TIMEOUT, type NodeEngine, scopedTransport } from "./NodeEngine.ts";
import * as NodeHttpEngine from "./NodeHttpEngine.ts";
import * as UndiciEngine from "./UndiciEngine.ts";

/**
 * @category models
 * @since 0.1.0
 */
export interface NodeTransportOptions {
  /**
   * The HTTP client underneath.
   *
   * @default "undici"
   */
  readonly engine?: "undici" | "node:http" | undefined;
  /**
   * Most sockets per origin.
   *
   * @default unlimited
   */
  readonly connections?: number | undefined;
  /**
   * How long an idle pooled socket is kept, in milliseconds (undici also honours a shorter
   * `Keep-Alive: timeout=` hint from the server).
   *
   * @default 4000
   */
  readonly keepAliveTimeout?: number | undefined;
}

const engineOf = (options: NodeTransportOptions): NodeEngine => {
  const engineOptions = {
    connections: options.connections,
    keepAliveTimeout: options.keepAliveTimeout ?? DEFAULT_KEEP_ALIVE_TIMEOUT,
  };
  return options.engine === "node:http"
    ? NodeHttpEngine.make(engineOptions)
    : UndiciEngine.make(engineOptions);
};

/**
 * Builds the transport service and registers the closing of its pools in the current scope.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: NodeTransportOptions = {}) =>
  scopedTransport(() => engineOf(options));

/**
 * The transport with default options (undici, unlimited sockets, 4 s keep-alive).
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
 * import { NodeTransport } from "@miro-token/transport-node"
 *
 * const TransportLive = NodeTransport.layerWith({ connections: 8, keepAliveTimeout: 10_000 })
 * ```
 *
 * @category layers
 * @since 0.1.0
 */
export const layerWith = (options: NodeTransportOptions): Layer.Layer<HttpTransport> =>
  Layer.effect(HttpTransport, make(options));
