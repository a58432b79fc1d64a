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
import { Clock, Context, Duration, Effect, Result } from "effect";
import { checkBaseUrl } from "../BaseUrl.ts";
import type { MiroTokenError } from "../Errors.ts";
import { InsecureBaseUrlError } from "../errors/InsecureBaseUrlError.ts";
import type { HttpTransport, TransportRequest, TransportResponse } from "../HttpTransport.ts";
import type { MiroConfigShape } from "../MiroConfig.ts";
import { isTracing } from "../OptionalSpan.ts";
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
  /** The request URL's origin and path, when the operation has it at hand (else derived). */
  readonly endpoint?: string | undefined;
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

/**
 * The base URL verdict of each configuration object, so the URL is parsed once, not per call
 * (`null`: the URL is allowed).
 */
const baseUrlVerdicts = new WeakMap<MiroConfigShape, InsecureBaseUrlError | null>();

/**
 * The refusal of a configuration whose base URL breaks the rule of `BaseUrl.ts`, or `undefined`.
 * Pure parsing: it runs before any DNS lookup or connection.
 *
 * @category runners
 * @since 0.1.0
 */
export const baseUrlRefusal = (config: MiroConfigShape): InsecureBaseUrlError | undefined => {
  let verdict = baseUrlVerdicts.get(config);
  if (verdict === undefined) {
    const checked = checkBaseUrl(config.baseUrl, { allowInsecureHttp: config.allowInsecureHttp });
    verdict = Result.isFailure(checked)
      ? new InsecureBaseUrlError({
          attempts: 0,
          kind: checked.failure.kind,
          reason: checked.failure.reason,
        })
      : null;
    baseUrlVerdicts.set(config, verdict);
  }
  return verdict ?? undefined;
};

/**
 * Each configuration's limits per operation (by attempt cap, then by the operation's own
 * attempt timeout), built once rather than on every call.
 */
const limitsByConfig = new WeakMap<
  MiroConfigShape,
  Map<number, Map<number | undefined, RetryPolicy.RetryLimits>>
>();

const limitsOf = (
  config: MiroConfigShape,
  maxAttempts: number,
  attemptTimeout: number | undefined,
): RetryPolicy.RetryLimits => {
  let byCap = limitsByConfig.get(config);
  if (byCap === undefined) {
    byCap = new Map();
    limitsByConfig.set(config, byCap);
  }
  let byTimeout = byCap.get(maxAttempts);
  if (byTimeout === undefined) {
    byTimeout = new Map();
    byCap.set(maxAttempts, byTimeout);
  }
  let limits = byTimeout.get(attemptTimeout);
  if (limits === undefined) {
    const configured = RetryPolicy.limitsFor(config, maxAttempts);
    limits = attemptTimeout === undefined ? configured : { ...configured, attemptTimeout };
    byTimeout.set(attemptTimeout, limits);
  }
  return limits;
};

/** The live clock: only on it may a transport time attempts with its own timers. */
const liveClock = Context.get(Context.empty(), Clock.Clock);

/** The longest delay a JavaScript timer takes (a longer one fires at once): longer budgets are raced. */
const MAX_TIMER_MILLIS = 2 ** 31 - 1;

/**
 * One attempt's exchange, bounded by `budget` ms: by the transport itself when it enforces
 * `request.timeout` and the fiber runs on the live clock (no second fiber), else by racing it
 * against the fiber's clock (a test clock moves only when told to).
 */
const sendWithin = (
  transport: HttpTransport["Service"],
  request: TransportRequest,
  budget: number,
  endpoint: string,
  ownTimers: boolean,
): Effect.Effect<TransportResponse, TransportError> =>
  ownTimers && budget <= MAX_TIMER_MILLIS
    ? transport.send({ ...request, timeout: budget })
    : Effect.timeoutOrElse(transport.send(request), {
        duration: Duration.millis(budget),
        orElse: () =>
          Effect.fail(
            new TransportError({
              kind: "Timeout",
              method: request.method,
              endpoint,
              reason: `no complete response within ${budget} ms`,
            }),
          ),
      });

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
  Effect.withFiber((fiber): Effect.Effect<A, E | TransportError | InsecureBaseUrlError> => {
    const clock = fiber.getRef(Clock.Clock);
    const { transport, config, quota } = services;
    const refusal = baseUrlRefusal(config);
    if (refusal !== undefined) return Effect.fail(refusal);
    const limits = limitsOf(config, spec.maxAttempts, spec.attemptTimeout);
    const startedAt = clock.currentTimeMillisUnsafe();
    const endpoint = spec.endpoint ?? endpointOf(spec.request.url);
    const ownTimers = transport.enforcesTimeout === true && clock === liveClock;
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

    const failed = (
      failure: AttemptFailure<E | TransportError>,
    ): Effect.Effect<never, AttemptFailure<E | TransportError>> => {
      const classified = {
        ...failure,
        retryable: failure.retryable && spec.retryOn(failure.cause),
      };
      if (classified.ambiguous && ambiguousBefore === undefined) ambiguousBefore = classified;
      return Effect.andThen(
        Effect.logDebug(`${spec.name}: attempt ${attempts} failed: ${classified.label}`).pipe(
          Effect.annotateLogs({ operation: spec.name, endpoint }),
        ),
        Effect.fail(classified),
      );
    };

    const attempt = Effect.suspend(() => {
      attempts += 1;
      const attempt = attempts;
      const before = ambiguousBefore;
      const budget = RetryPolicy.attemptBudget(clock.currentTimeMillisUnsafe() - startedAt, limits);
      return Effect.matchEffect(sendWithin(transport, spec.request, budget, endpoint, ownTimers), {
        onFailure: (error) => failed(transportFailure(error)),
        onSuccess: (response) =>
          Effect.catch(
            spec.read(response, {
              attempt,
              ambiguousBefore: before,
              receivedAt: clock.currentTimeMillisUnsafe(),
            }),
            failed,
          ),
      });
    });

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
    });
    const released = Effect.map(retried, (result) => {
      quota.release(paid > 0 ? paid : quota.options.successRefund);
      return result;
    });
    // The operation's span (only opened when a tracer records it) learns where and how often.
    return isTracing(fiber)
      ? Effect.ensuring(
          released,
          Effect.suspend(() =>
            Effect.annotateCurrentSpan({ "miro.endpoint": endpoint, "miro.attempts": attempts }),
          ),
        )
      : released;
  });
