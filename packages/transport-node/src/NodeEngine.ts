/**
 * What the node transport's two engines (undici and node:http) have in common: a dispatch to
 * send with, and a way to close every pooled socket when the layer's scope closes; and the one
 * way an engine becomes a scoped `HttpTransport` (`NodeTransport` and `NodeHttpTransport`).
 *
 * @since 0.1.0
 */
import { Exchange, type HttpTransport } from "@miro-token/core";
import { Effect, type Scope } from "effect";

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
  readonly dispatch: Exchange.Dispatch;
  readonly close: () => Promise<void>;
}

/** How long an idle pooled socket is kept when the options do not say. */
export const DEFAULT_KEEP_ALIVE_TIMEOUT = 4_000;

/**
 * The transport service over an engine made by `makeEngine`, its pools closed when the current
 * scope closes.
 *
 * @category constructors
 * @since 0.1.0
 */
export const scopedTransport = (
  makeEngine: () => NodeEngine,
): Effect.Effect<HttpTransport["Service"], never, Scope.Scope> =>
  Effect.acquireRelease(Effect.sync(makeEngine), (engine) =>
    Effect.promise(() => engine.close()),
  ).pipe(
    Effect.map((engine) => Exchange.dispatchToTransport("NodeTransport.send", engine.dispatch)),
  );
