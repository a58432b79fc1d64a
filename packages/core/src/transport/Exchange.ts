/**
 * The part of `send` every adapter shares: check the request, run the adapter's exchange
 * (interrupting the fiber aborts it, and so does the request's `timeout`), classify whatever it
 * fails with, and turn a body over the cap into `BodyTooLarge`. An adapter supplies only the
 * exchange: put the request on the wire, collect the headers, read the body with
 * `readBodyCapped` (or count its bytes itself).
 *
 * An exchange comes in one of two forms. An {@link Exchange} returns a promise and stops when
 * its `AbortSignal` aborts: the form for clients built on signals (fetch, ky, Effect's
 * `HttpClient`). A {@link Dispatch} reports to a listener and returns a function that aborts
 * it: the form for clients with callbacks (undici's `dispatch`), which then need no
 * `AbortController`, no promise and no stream per request.
 *
 * Either way the exchange runs in the calling fiber (one `Effect.callback`, no second fiber):
 * the attempt timeout is a timer that aborts the exchange, so core need not race the attempt
 * against a sleeping fiber (see `enforcesTimeout` in `HttpTransport`).
 *
 * @since 0.1.0
 */

import { Effect } from "effect";
import { HttpTransport, type TransportRequest, type TransportResponse } from "../HttpTransport.ts";
import { spannedWhenTracing } from "../OptionalSpan.ts";
import type { TransportError } from "../TransportError.ts";
import * as RequestCheck from "./RequestCheck.ts";
import * as ResponseBody from "./ResponseBody.ts";
import * as TransportFailure from "./TransportFailure.ts";

/**
 * A response as an exchange hands it back: the body is text, or the cap was passed.
 *
 * @category models
 * @since 0.1.0
 */
export interface Exchanged {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | ResponseBody.BodyTooLarge;
}

/**
 * One request/response over some HTTP client. It must stop sending and drop the connection
 * when `signal` aborts (which also happens after it returns a body over the cap), and may
 * throw anything: failures are classified by code.
 *
 * @category models
 * @since 0.1.0
 */
export type Exchange = (request: TransportRequest, signal: AbortSignal) => Promise<Exchanged>;

/**
 * Where a {@link Dispatch} reports how its exchange ended. Only the first report counts.
 *
 * @category models
 * @since 0.1.0
 */
export interface DispatchListener {
  readonly onResponse: (response: Exchanged) => void;
  /** Anything the client failed with: it is classified by code, never kept. */
  readonly onFailure: (cause: unknown) => void;
}

/**
 * One request/response over a callback client: start it, report to `listener` (possibly
 * before returning), and return a function that stops sending and drops the connection (called
 * on interrupt, on timeout and after a body over the cap; it may be called after the end).
 *
 * @category models
 * @since 0.1.0
 */
export type Dispatch = (request: TransportRequest, listener: DispatchListener) => () => void;

/**
 * An {@link Exchange} as a {@link Dispatch}: an `AbortController` per request, aborted by the
 * returned function.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromExchange =
  (exchange: Exchange): Dispatch =>
  (request, listener) => {
    const controller = new AbortController();
    let result: Promise<Exchanged>;
    try {
      result = exchange(request, controller.signal);
    } catch (cause) {
      result = Promise.reject(cause);
    }
    result.then(listener.onResponse, listener.onFailure);
    return () => controller.abort();
  };

/**
 * The `TransportError` of an exchange that outlasted `request.timeout` (the same reason core
 * gives when it times an attempt itself).
 *
 * @category constructors
 * @since 0.1.0
 */
export const timeoutFailure = (request: TransportRequest, millis: number): TransportError =>
  TransportFailure.make("Timeout", `no complete response within ${millis} ms`, request);

/** A timer past 2^31 - 1 ms would fire at once; core never hands over such a budget. */
const MAX_TIMER_MILLIS = 2 ** 31 - 1;

/** The exchange as an effect, aborted on interrupt and, when the request has one, on timeout. */
const exchangeEffect = (
  dispatch: Dispatch,
  request: TransportRequest,
): Effect.Effect<TransportResponse, TransportError> =>
  Effect.callback<TransportResponse, TransportError>((resume) => {
    const { timeout } = request;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let abort: (() => void) | undefined;
    // A dispatch may report before it returns: then no timer is set, and a body over the cap
    // is aborted as soon as the abort function is at hand.
    let settled = false;
    let abortOnReturn = false;
    const stop = (): void => {
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };
    abort = dispatch(request, {
      onResponse: (response) => {
        if (settled) return;
        stop();
        if (response.body !== ResponseBody.BodyTooLarge) {
          resume(Effect.succeed(response as TransportResponse));
          return;
        }
        // Dropping the connection mid-body is how an over-long body ends.
        if (abort === undefined) abortOnReturn = true;
        else abort();
        resume(Effect.fail(TransportFailure.make("BodyTooLarge", "MAX_BODY_BYTES", request)));
      },
      onFailure: (cause) => {
        if (settled) return;
        stop();
        resume(Effect.fail(TransportFailure.fromCause(cause, request)));
      },
    });
    if (abortOnReturn) abort();
    if (!settled && timeout !== undefined && timeout <= MAX_TIMER_MILLIS) {
      timer = setTimeout(() => {
        timer = undefined;
        // Settled first: an exchange may report its own abort synchronously.
        settled = true;
        abort?.();
        resume(Effect.fail(timeoutFailure(request, timeout)));
      }, timeout);
    }
    return Effect.sync(() => {
      stop();
      abort?.();
    });
  });

/**
 * The transport's `send` over `dispatch`, traced as a span named `spanName` (when a tracer is
 * installed). It honours `request.timeout`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const dispatchToSend = (
  spanName: string,
  dispatch: Dispatch,
): ((request: TransportRequest) => Effect.Effect<TransportResponse, TransportError>) => {
  const traced = spannedWhenTracing(spanName);
  return (request) => {
    const invalid = RequestCheck.invalidRequestReason(request);
    return invalid === undefined
      ? traced(() => exchangeEffect(dispatch, request))
      : traced(() => Effect.fail(TransportFailure.make("Network", invalid, request)));
  };
};

/**
 * The transport's `send` over `exchange` ({@link dispatchToSend} of {@link fromExchange}).
 *
 * @category constructors
 * @since 0.1.0
 */
export const toSend = (
  spanName: string,
  exchange: Exchange,
): ((request: TransportRequest) => Effect.Effect<TransportResponse, TransportError>) =>
  dispatchToSend(spanName, fromExchange(exchange));

/**
 * A transport service over `dispatch`: {@link dispatchToSend}, declaring `enforcesTimeout`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const dispatchToTransport = (
  spanName: string,
  dispatch: Dispatch,
): HttpTransport["Service"] =>
  HttpTransport.of({ send: dispatchToSend(spanName, dispatch), enforcesTimeout: true });

/**
 * A transport service over `exchange`: {@link toSend}, declaring `enforcesTimeout`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const toTransport = (spanName: string, exchange: Exchange): HttpTransport["Service"] =>
  dispatchToTransport(spanName, fromExchange(exchange));
