/**
 * How every operation runs its HTTP attempts: one request built once (so a retry re-sends the
 * very same token or grant), each attempt bounded by min(attemptTimeout, time left before the
 * deadline), failures classified once, and retries decided only by {@link RetryPolicy.schedule}.
 *
 * An operation supplies the request, its attempt cap, which failures it may retry, and how to
 * read a response. The runner counts attempts, remembers whether an earlier attempt failed
 * ambiguously (it may have been processed), and builds the final typed error with `attempts`.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect, Option, Result } from "effect";
import {
  type MiroTokenError,
  RateLimitedError,
  ResponseDecodeError,
  ServerError,
} from "../Errors.ts";
import type { HttpTransport, TransportRequest, TransportResponse } from "../HttpTransport.ts";
import { parseJson } from "../JsonText.ts";
import type { MiroConfigShape } from "../MiroConfig.ts";
import { safeErrorCode } from "../MiroErrorBody.ts";
import { parseRateLimit } from "../RateLimit.ts";
import * as RetryPolicy from "../RetryPolicy.ts";
import { endpointOf, TransportError, type TransportErrorKind } from "../TransportError.ts";

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
export interface AttemptFailure extends RetryPolicy.RetryInput {
  readonly cause: FailureCause;
  /** The request may have been processed (reset or timeout after sending, 500/502/504). */
  readonly ambiguous: boolean;
  /** Short secret-free description, e.g. `TransportError(Network)` or `HTTP 502`. */
  readonly label: string;
  /** The typed error this failure becomes if it is the last one. */
  readonly toError: (attempts: number) => MiroTokenError;
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
 * The services an operation runs against.
 *
 * @category models
 * @since 0.1.0
 */
export interface OperationServices {
  readonly transport: HttpTransport["Service"];
  readonly config: MiroConfigShape;
}

/**
 * One operation call.
 *
 * @category models
 * @since 0.1.0
 */
export interface OperationSpec<A> {
  readonly request: TransportRequest;
  /** The operation's own cap on attempts (the configured `retry.limit` can only lower it). */
  readonly maxAttempts: number;
  /** Whether a retryable-looking failure may be retried by this operation. */
  readonly retryOn: (cause: FailureCause) => boolean;
  /** Read a response: a result, or a failed attempt. */
  readonly read: (
    response: TransportResponse,
    context: AttemptContext,
  ) => Effect.Effect<A, AttemptFailure>;
}

/**
 * A failure that is a definite answer: never retried, becomes `error` with the attempt count.
 *
 * @category constructors
 * @since 0.1.0
 */
export const finalFailure = (
  label: string,
  toError: (attempts: number) => MiroTokenError,
): AttemptFailure => ({
  cause: { _tag: "Final" },
  retryable: false,
  serverWait: { _tag: "None" },
  ambiguous: false,
  label,
  toError,
});

const transportFailure = (error: TransportError): AttemptFailure => ({
  cause: { _tag: "Transport", kind: error.kind },
  retryable: error.retryable,
  serverWait: { _tag: "None" },
  ambiguous: error.kind === "Network" || error.kind === "Timeout",
  label: `TransportError(${error.kind})`,
  toError: (attempts) =>
    new TransportError({
      kind: error.kind,
      method: error.method,
      endpoint: error.endpoint,
      reason: error.reason,
      attempts,
    }),
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
export const finalStatus = (
  request: TransportRequest,
  response: TransportResponse,
  make: (fields: StatusFields) => MiroTokenError,
): AttemptFailure => {
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
): Effect.Effect<A, AttemptFailure> => {
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
): AttemptFailure => {
  const { status, headers } = response;
  const at = { method: request.method, endpoint: endpointOf(request.url) };
  const serverWait = RetryPolicy.serverWait(
    response,
    context.receivedAt,
    Duration.toMillis(config.retry.maxRetryAfter),
  );
  const toError =
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

/**
 * Run an operation: attempts under the retry schedule, within the deadline.
 *
 * @category runners
 * @since 0.1.0
 */
export const runOperation = <A>(
  services: OperationServices,
  spec: OperationSpec<A>,
): Effect.Effect<A, MiroTokenError> =>
  Effect.gen(function* () {
    const { transport, config } = services;
    const limits = RetryPolicy.limitsFor(config, spec.maxAttempts);
    const startedAt = yield* Clock.currentTimeMillis;
    const endpoint = endpointOf(spec.request.url);
    let attempts = 0;
    let ambiguousBefore: AttemptFailure | undefined;

    const attempt = Effect.gen(function* () {
      attempts += 1;
      const context = { attempt: attempts, ambiguousBefore };
      const budget = RetryPolicy.attemptBudget(
        (yield* Clock.currentTimeMillis) - startedAt,
        limits,
      );
      const response = yield* transport.send(spec.request).pipe(
        Effect.timeoutOrElse({
          duration: Duration.millis(budget),
          orElse: () =>
            Effect.fail(
              new TransportError({
                kind: "Timeout",
                method: spec.request.method,
                endpoint,
                reason: `no complete response within ${budget} ms`,
              }),
            ),
        }),
        Effect.mapError(transportFailure),
      );
      const receivedAt = yield* Clock.currentTimeMillis;
      return yield* spec.read(response, { ...context, receivedAt });
    }).pipe(
      Effect.mapError(
        (failure): AttemptFailure => ({
          ...failure,
          retryable: failure.retryable && spec.retryOn(failure.cause),
        }),
      ),
      Effect.tapError((failure) =>
        Effect.sync(() => {
          if (failure.ambiguous && ambiguousBefore === undefined) ambiguousBefore = failure;
        }),
      ),
    );

    return yield* Effect.retryOrElse(attempt, RetryPolicy.schedule(limits, startedAt), (failure) =>
      Effect.fail(failure.toError(attempts)),
    );
  });
