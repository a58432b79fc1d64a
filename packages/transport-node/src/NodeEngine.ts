/**
 * What the node transport's two engines (undici and node:http) have in common: an exchange to
 * send with, and a way to close every pooled socket when the layer's scope closes.
 *
 * @since 0.1.0
 */
import type { Exchange } from "@miro-token/core";

/**
 * @category models
 * @since 0.1.0
 */
export interface EngineOptions {
  /** Most sockets per origin; `undefined` for no limit. */
  readonly connections?: number | undefined;
  /** How long an idle pooled socket is kept, in milliseconds. */
  readonly keepAliveTimeout: number;
}

/**
 * @category models
 * @since 0.1.0
 */
export interface NodeEngine {
  readonly exchange: Exchange.Exchange;
  readonly close: () => Promise<void>;
}
