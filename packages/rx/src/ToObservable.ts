/**
 * The bridge from Effect to rxjs: run an Effect `Stream` as a cold `Observable`. Each
 * subscription forks the stream with its layer; every element is `next`ed; the stream's end
 * completes; its typed failure reaches `error` as the very same error instance; unsubscribing
 * interrupts the fiber, so the stream's finalizers (sockets, timers, locks) run.
 *
 * This is the one place rxjs meets Effect: core never imports rxjs.
 *
 * @since 0.1.0
 */
import { Cause, Effect, Exit, type Layer, Option, Stream } from "effect";
import { Observable } from "rxjs";

/**
 * Run `stream` (with the services `layer` provides) for each subscriber.
 *
 * An interruption that does not come from unsubscribing (the runtime shutting down) completes
 * the observable rather than leaving subscribers waiting. A defect reaches `error` as the
 * thrown value.
 *
 * ```ts
 * const statuses$ = toObservable(TokenWatcher.watch(token), clientLayer)
 * const subscription = statuses$.subscribe((status) => console.log(status._tag))
 * subscription.unsubscribe() // interrupts the watch; its finalizers run
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const toObservable = <A, E, R, LE = never>(
  stream: Stream.Stream<A, E, R>,
  layer: Layer.Layer<R, LE>,
): Observable<A> =>
  new Observable<A>((subscriber) => {
    const fiber = Effect.runFork(
      Stream.runForEach(stream, (value) => Effect.sync(() => subscriber.next(value))).pipe(
        Effect.provide(layer),
      ),
    );
    fiber.addObserver((exit) => {
      if (Exit.isSuccess(exit) || Cause.hasInterruptsOnly(exit.cause)) {
        subscriber.complete();
        return;
      }
      const failure: unknown = Option.getOrElse(Cause.findErrorOption(exit.cause), () =>
        Cause.squash(exit.cause),
      );
      subscriber.error(failure);
    });
    return () => {
      fiber.interruptUnsafe();
    };
  });
