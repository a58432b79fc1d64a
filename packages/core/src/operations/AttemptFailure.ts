/**
 * A failed attempt, as the retry schedule and the operation runner see it: what failed (for
 * the operation's retry set), whether it may have been processed by Miro (for revoke and grant
 * semantics), the server's wait hint, and the typed error it becomes if it is the last one.
 * Also the shared readers that turn a response into one: transient statuses, definite status
 * answers and success bodies that do not decode.
 *
 * @since 0.1.0
 */
import { Duration, Effect, Option, Result } from "effect";
import {
  type MiroTokenError,
  RateLimitedError,
  ResponseDecodeError,
  ServerError,
} from "../Errors.ts";
import type { TransportRequest, TransportResponse } from "../HttpTransport.ts";
import { parseJson } from "../JsonText.ts";
import type { MiroConfigShape } from "../MiroConfig.ts";
import { safeErrorCode } from "../MiroErrorBody.ts";
import { parseRateLimit } from "../RateLimit.ts";
import * as RetryPolicy from "../RetryPolicy.ts";
import { endpointOf, type TransportErrorKind } from "../TransportError.ts";

/**
 * What failed in an attempt, as far as retrying is concerned.
 *
 * @category models
 * @since 0.1.0
 */
export type FailureCause =
  | { readonly _tag: "Transport"; readonly kind: TransportErrorKind }
  | { readonly _tag: "Status"; readonly status: number }
  /** The response was understood and is a definite answer (e.g. 400): never retried. */
  | { readonly _tag: "Final" };

/**
 * One failed attempt.
 *
 * @category models
 * @since 0.1.0
 */
export interface AttemptFailure<out E extends MiroTokenError = MiroTokenError>
  extends RetryPolicy.RetryInput {
  readonly cause: FailureCause;
  /** The request may have been processed (reset or timeout after sending, 500/502/504). */
  readonly ambiguous: boolean;
  /** Short secret-free description, e.g. `TransportError(Network)` or `HTTP 502`. */
  readonly label: string;
  /** The typed error this failure becomes if it is the last one. */
  readonly toError: (attempts: number) => E;
}

/**
 * What an operation's response reader knows about earlier attempts.
 *
 * @category models
 * @since 0.1.0
 */
export interface AttemptContext {
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** The first earlier failure that may have been processed by Miro, if any. */
  readonly ambiguousBefore: AttemptFailure | undefined;
  /** When the response arrived (epoch ms, Effect `Clock`). */
  readonly receivedAt: number;
}

/**
 * A failure that is a definite answer: never retried, becomes `error` with the attempt count.
 *
 * @category constructors
 * @since 0.1.0
 */
export const finalFailure = <E extends MiroTokenError>(
  label: string,
  toError: (attempts: number) => E,
): AttemptFailure<E> => ({
  cause: { _tag: "Final" },
  retryable: false,
  serverWait: { _tag: "None" },
  ambiguous: false,
  label,
  toError,
});

/**
 * The request fields every HTTP error carries, for a final status answer: method, endpoint,
 * status and Miro's (known) error code.
 *
 * @category models
 * @since 0.1.0
 */
export interface StatusFields {
  readonly method: string;
  readonly endpoint: string;
  readonly attempts: number;
  readonly status: number;
  readonly code?: string;
}

/**
 * A definite answer given by a status code, becoming the error `make` builds.
 *
 * @category constructors
 * @since 0.1.0
 */
export const finalStatus = <E extends MiroTokenError>(
  request: TransportRequest,
  response: TransportResponse,
  make: (fields: StatusFields) => E,
): AttemptFailure<E> => {
  const code = safeErrorCode(response.body);
  return finalFailure(`HTTP ${response.status}`, (attempts) =>
    make({
      method: request.method,
      endpoint: endpointOf(request.url),
      attempts,
      status: response.status,
      ...(code === undefined ? {} : { code }),
    }),
  );
};

/**
 * Decode a success body, or fail finally with a {@link ResponseDecodeError} whose reason is a
 * fixed phrase (never body text).
 *
 * @category decoding
 * @since 0.1.0
 */
export const decodeSuccessBody = <A>(
  request: TransportRequest,
  response: TransportResponse,
  decode: (u: unknown) => Result.Result<A, unknown>,
): Effect.Effect<A, AttemptFailure<ResponseDecodeError>> => {
  const decoded = Result.flatMap(parseJson(response.body), (json) =>
    Result.mapError(decode(json), () => "unexpected shape"),
  );
  if (Result.isSuccess(decoded)) return Effect.succeed(decoded.success);
  const reason = decoded.failure;
  return Effect.fail(
    finalFailure(
      "ResponseDecodeError",
      (attempts) =>
        new ResponseDecodeError({
          method: request.method,
          endpoint: endpointOf(request.url),
          attempts,
          status: response.status,
          reason,
        }),
    ),
  );
};

/** Statuses after which Miro may have done the work: the request reached processing. */
const AMBIGUOUS_STATUSES: ReadonlySet<number> = new Set([500, 502, 504]);

/**
 * Whether a status is transient (408, 429, 5xx).
 *
 * @category predicates
 * @since 0.1.0
 */
export const isTransientStatus = (status: number): boolean =>
  status === 408 || status === 429 || (status >= 500 && status <= 599);

/**
 * The failure for a transient status: a 429 becomes {@link RateLimitedError}, 408 and 5xx a
 * {@link ServerError}; the server's wait hint is read here.
 *
 * @category constructors
 * @since 0.1.0
 */
export const transientStatusFailure = (
  request: TransportRequest,
  response: TransportResponse,
  context: AttemptContext,
  config: MiroConfigShape,
): AttemptFailure<RateLimitedError | ServerError> => {
  const { status, headers } = response;
  const at = { method: request.method, endpoint: endpointOf(request.url) };
  const serverWait = RetryPolicy.serverWait(
    response,
    context.receivedAt,
    Duration.toMillis(config.retry.maxRetryAfter),
  );
  const toError: (attempts: number) => RateLimitedError | ServerError =
    status === 429
      ? (attempts: number) => {
          const retryAfter = RetryPolicy.parseRetryAfter(
            headers["retry-after"],
            context.receivedAt,
          );
          return new RateLimitedError({
            ...at,
            attempts,
            status,
            ...parseRateLimit(headers),
            ...(Option.isSome(retryAfter) && Duration.isFinite(retryAfter.value)
              ? { retryAfter: Duration.toMillis(retryAfter.value) }
              : {}),
          });
        }
      : (attempts: number) => new ServerError({ ...at, attempts, status });
  return {
    cause: { _tag: "Status", status },
    retryable: true,
    serverWait,
    ambiguous: AMBIGUOUS_STATUSES.has(status),
    label: `HTTP ${status}`,
    toError,
  };
};
