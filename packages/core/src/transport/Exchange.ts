/**
 * The part of `send` every adapter shares: check the request, run the adapter's exchange with
 * the fiber's `AbortSignal` (interrupting the fiber aborts it), classify whatever it throws,
 * and turn a body over the cap into `BodyTooLarge`. An adapter supplies only the exchange:
 * put the request on the wire, collect the headers, read the body with `readBodyCapped`.
 *
 * @since 0.1.0
 */

import { Effect } from "effect";
import type { TransportRequest, TransportResponse } from "../HttpTransport.ts";
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
 * when `signal` aborts, and may throw anything: failures are classified by code.
 *
 * @category models
 * @since 0.1.0
 */
export type Exchange = (request: TransportRequest, signal: AbortSignal) => Promise<Exchanged>;

/**
 * The transport's `send` over `exchange`, traced as a span named `spanName`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const toSend = (
  spanName: string,
  exchange: Exchange,
): ((request: TransportRequest) => Effect.Effect<TransportResponse, TransportError>) =>
  Effect.fn(spanName)(function* (request: TransportRequest) {
    const invalid = RequestCheck.invalidRequestReason(request);
    if (invalid !== undefined) {
      return yield* Effect.fail(TransportFailure.make("Network", invalid, request));
    }
    const response = yield* Effect.tryPromise({
      try: (signal) => exchange(request, signal),
      catch: (cause) => TransportFailure.fromCause(cause, request),
    });
    if (response.body === ResponseBody.BodyTooLarge) {
      return yield* Effect.fail(TransportFailure.make("BodyTooLarge", "MAX_BODY_BYTES", request));
    }
    return { status: response.status, headers: response.headers, body: response.body };
  });
