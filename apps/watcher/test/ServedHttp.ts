/**
 * The scoped `serveHttp` as a Promise, for test code outside effect (the board server of
 * `Fixtures.ts`, the bench's server process): resolves once the port is bound, `close` closes
 * the scope (ends the SSE streams, then the server) and resolves when no connection is left.
 * The watcher itself runs `serveHttp` in its layer's scope; only tests need this facade.
 */
import { Effect, Exit, Logger, Scope } from "effect";

/** A listening server and the function that closes it. */
export type ServedHandle<A> = A & { readonly close: () => Promise<void> };

/** Run `serve` in a fresh scope; on failure the scope is closed and the error rethrown. */
export const startServed = async <A, E>(
  serve: Effect.Effect<A, E, Scope.Scope>,
): Promise<ServedHandle<A>> => {
  const scope = Effect.runSync(Scope.make());
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= Effect.runPromise(Scope.close(scope, Exit.void)));
  try {
    const served = await Effect.runPromise(
      serve.pipe(
        Scope.provide(scope),
        // Effect's own reports (a defect in a route) go to stderr, as in the watcher.
        Effect.provideService(Logger.LogToStderr, true),
      ),
    );
    return { ...served, close };
  } catch (error) {
    await close();
    throw error;
  }
};
