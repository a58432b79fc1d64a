/**
 * The part of `send` every adapter shares: check the request, run the adapter's exchange with
 * an `AbortSignal` (interrupting the fiber aborts it, and so does the request's `timeout`),
 * classify whatever it throws, and turn a body over the cap into `BodyTooLarge`. An adapter
 * supplies only the exchange: put the request on the wire, collect the headers, read the body
 * with `readBodyCapped`.
 *
 * The exchange runs in the calling fiber (one `Effect.callback`, no second fiber): the
 * attempt timeout is a timer that aborts the exchange's own controller, so core need not race
 * the attempt against a sleeping fiber (see `enforcesTimeout` in `HttpTransport`).
 *
 * @since 0.1.0
 */

import { Effect } from "effect";
import { HttpTransport, type TransportRequest, type TransportResponse } from "../HttpTransport.ts";
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
 * The `TransportError` of an exchange that outlasted `request.timeout` (the same reason core
 * gives when it times an attempt itself).
 *
 * @category constructors
 * @since 0.1.0
 */
export const timeoutFailure = (request: TransportRequest, millis: number): TransportError =>
  TransportFailure.make("Timeout", `no complete response within ${millis} ms`, request);

/** The response, or `BodyTooLarge` after aborting (which drops the connection mid-body). */
const settle = (
  request: TransportRequest,
  response: Exchanged,
  controller: AbortController,
): Effect.Effect<TransportResponse, TransportError> => {
  if (response.body !== ResponseBody.BodyTooLarge) {
    return Effect.succeed(response as TransportResponse);
  }
  controller.abort();
  return Effect.fail(TransportFailure.make("BodyTooLarge", "MAX_BODY_BYTES", request));
};

/** The exchange as an effect, aborted on interrupt and, when the request has one, on timeout. */
const exchangeEffect = (
  exchange: Exchange,
  request: TransportRequest,
): Effect.Effect<TransportResponse, TransportError> =>
  Effect.callback<TransportResponse, TransportError>((resume) => {
    const controller = new AbortController();
    const { timeout } = request;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A timer past 2^31 - 1 ms would fire at once; core never hands over such a budget.
    if (timeout !== undefined && timeout <= 2 ** 31 - 1) {
      timer = setTimeout(() => {
        timer = undefined;
        controller.abort();
        resume(Effect.fail(timeoutFailure(request, timeout)));
      }, timeout);
    }
    let result: Promise<Exchanged>;
    try {
      result = exchange(request, controller.signal);
    } catch (cause) {
      result = Promise.reject(cause);
    }
    result.then(
      (response) => {
        if (timer !== undefined) clearTimeout(timer);
        resume(settle(request, response, controller));
      },
      (cause: unknown) => {
        if (timer !== undefined) clearTimeout(timer);
        resume(Effect.fail(TransportFailure.fromCause(cause, request)));
      },
    );
    return Effect.sync(() => {
      if (timer !== undefined) clearTimeout(timer);
      controller.abort();
    });
  });

/**
 * The transport's `send` over `exchange`, traced as a span named `spanName`. It honours
 * `request.timeout`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const toSend = (
  spanName: string,
  exchange: Exchange,
): ((request: TransportRequest) => Effect.Effect<TransportResponse, TransportError>) => {
  const traced = Effect.withSpan(spanName, undefined, { captureStackTrace: false });
  return (request) => {
    const invalid = RequestCheck.invalidRequestReason(request);
    return traced(
      invalid === undefined
        ? exchangeEffect(exchange, request)
        : Effect.fail(TransportFailure.make("Network", invalid, request)),
    );
  };
};

/**
 * A transport service over `exchange`: {@link toSend}, declaring `enforcesTimeout`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const toTransport = (spanName: string, exchange: Exchange): HttpTransport["Service"] =>
  HttpTransport.of({ send: toSend(spanName, exchange), enforcesTimeout: true });
