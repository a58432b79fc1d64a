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
import { Clock, Duration, Effect, Result } from "effect";
import { checkBaseUrl } from "../BaseUrl.ts";
import type { MiroTokenError } from "../Errors.ts";
import { InsecureBaseUrlError } from "../errors/InsecureBaseUrlError.ts";
import type { HttpTransport, TransportRequest, TransportResponse } from "../HttpTransport.ts";
import type { MiroConfigShape } from "../MiroConfig.ts";
import * as RetryPolicy from "../RetryPolicy.ts";
import type { RetryQuotaShape } from "../RetryQuota.ts";
import { endpointOf, TransportError } from "../TransportError.ts";
import type { AttemptContext, AttemptFailure, FailureCause } from "./AttemptFailure.ts";

/**
 * The services an operation runs against.
 *
 * @category models
 * @since 0.1.0
 */
export interface OperationServices {
  readonly transport: HttpTransport["Service"];
  readonly config: MiroConfigShape;
  /** The retry budget every retry is paid from (process-wide by default). */
  readonly quota: RetryQuotaShape;
}

/**
 * One operation call.
 *
 * @category models
 * @since 0.1.0
 */
export interface OperationSpec<A, E extends MiroTokenError> {
  /** For logs, e.g. `TokenClient.info`. */
  readonly name: string;
  readonly request: TransportRequest;
  /** The operation's own cap on attempts (the configured `retry.limit` can only lower it). */
  readonly maxAttempts: number;
  /** Per-attempt timeout in ms, when the operation has its own (else `attemptTimeout`). */
  readonly attemptTimeout?: number | undefined;
  /** Whether a retryable-looking failure may be retried by this operation. */
  readonly retryOn: (cause: FailureCause) => boolean;
  /** Read a response: a result, or a failed attempt. */
  readonly read: (
    response: TransportResponse,
    context: AttemptContext,
  ) => Effect.Effect<A, AttemptFailure<E>>;
}

const transportFailure = (error: TransportError): AttemptFailure<TransportError> => ({
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

/** The base URL verdict of each configuration object, so the URL is parsed once, not per call. */
const baseUrlVerdicts = new WeakMap<MiroConfigShape, InsecureBaseUrlError | undefined>();

/**
 * The refusal of a configuration whose base URL breaks the rule of `BaseUrl.ts`, or `undefined`.
 * Pure parsing: it runs before any DNS lookup or connection.
 *
 * @category runners
 * @since 0.1.0
 */
export const baseUrlRefusal = (config: MiroConfigShape): InsecureBaseUrlError | undefined => {
  if (baseUrlVerdicts.has(config)) return baseUrlVerdicts.get(config);
  const checked = checkBaseUrl(config.baseUrl, { allowInsecureHttp: config.allowInsecureHttp });
  const verdict = Result.isFailure(checked)
    ? new InsecureBaseUrlError({
        attempts: 0,
        kind: checked.failure.kind,
        reason: checked.failure.reason,
      })
    : undefined;
  baseUrlVerdicts.set(config, verdict);
  return verdict;
};

/**
 * Run an operation: attempts under the retry schedule, within the deadline. Nothing is sent
 * when the configured base URL is refused ({@link baseUrlRefusal}).
 *
 * @category runners
 * @since 0.1.0
 */
export const runOperation = <A, E extends MiroTokenError>(
  services: OperationServices,
  spec: OperationSpec<A, E>,
): Effect.Effect<A, E | TransportError | InsecureBaseUrlError> =>
  Effect.gen(function* () {
    const { transport, config, quota } = services;
    const refusal = baseUrlRefusal(config);
    if (refusal !== undefined) return yield* refusal;
    const configured = RetryPolicy.limitsFor(config, spec.maxAttempts);
    const limits =
      spec.attemptTimeout === undefined
        ? configured
        : { ...configured, attemptTimeout: spec.attemptTimeout };
    const startedAt = yield* Clock.currentTimeMillis;
    const endpoint = endpointOf(spec.request.url);
    let attempts = 0;
    let ambiguousBefore: AttemptFailure<E | TransportError> | undefined;
    // What the latest retry took from the quota: a success gives it back (AWS "standard").
    let paid = 0;
    const pay = (failure: AttemptFailure<E | TransportError>): boolean => {
      const cost =
        failure.cause._tag === "Transport" && failure.cause.kind === "Timeout"
          ? quota.options.timeoutCost
          : quota.options.retryCost;
      if (!quota.tryAcquire(cost)) return false;
      paid = cost;
      return true;
    };

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
        (failure): AttemptFailure<E | TransportError> => ({
          ...failure,
          retryable: failure.retryable && spec.retryOn(failure.cause),
        }),
      ),
      Effect.tapError((failure) =>
        Effect.andThen(
          Effect.sync(() => {
            if (failure.ambiguous && ambiguousBefore === undefined) ambiguousBefore = failure;
          }),
          Effect.logDebug(`${spec.name}: attempt ${attempts} failed: ${failure.label}`),
        ),
      ),
    );

    // The first attempt runs bare: most calls succeed at once, and building the retry schedule
    // costs more than the rest of the call. After a failure, the retry loop starts by replaying
    // that failure (no request), so the schedule sees exactly the attempts it would have seen.
    const retried = Effect.catch(attempt, (first) => {
      let replay = true;
      const next = Effect.suspend(() => {
        if (!replay) return attempt;
        replay = false;
        return Effect.fail(first);
      });
      return Effect.retryOrElse(next, RetryPolicy.schedule(limits, startedAt, pay), (failure) =>
        Effect.fail(failure.toError(attempts)),
      );
    }).pipe(
      Effect.tap(() =>
        Effect.sync(() => quota.release(paid > 0 ? paid : quota.options.successRefund)),
      ),
    );
    yield* Effect.annotateCurrentSpan("miro.endpoint", endpoint);
    return yield* retried.pipe(
      Effect.ensuring(Effect.suspend(() => Effect.annotateCurrentSpan("miro.attempts", attempts))),
      Effect.annotateLogs({ operation: spec.name, endpoint }),
    );
  });
