/**
 * One token's watch loop: a single fiber, so a token never has two requests in flight. Each
 * turn it refreshes when the refresh point is reached (through {@link TokenRefresher}), reports
 * a near or past expiry, or probes token info on a jittered cadence; then it sleeps until the
 * earliest of those. Every observation becomes a {@link TokenEvent} and the pure
 * {@link transition} decides the status, which is emitted only when it changed
 * ({@link sameStatus}) or when a heartbeat is due. The loop ends after a terminal status.
 *
 * Rate limits: a low `X-RateLimit-Remaining` slows probing down; a spent quota (remaining 0,
 * or a 429) closes the {@link RequestBudget} gate of the token's user until the reset, and the
 * probes held back are spread over one interval after it. A refresh is never held back by
 * the gate (a 429 from the token endpoint itself delays only that refresh).
 *
 * @since 0.1.0
 */
import { Clock, Effect, Option, Random, Result } from "effect";
import type { MiroTokenError, StoreError } from "./Errors.ts";
import type { RateLimit } from "./RateLimit.ts";
import { isRefreshTokenExpiring } from "./RefreshTokenAge.ts";
import { monotonicMillis, type RequestBudget } from "./RequestBudget.ts";
import type { TokenClientShape } from "./TokenClient.ts";
import type { RefreshError, TokenRefresherShape } from "./TokenRefresher.ts";
import { isTerminal, sameStatus, summarizeFailure, type TokenStatus } from "./TokenStatus.ts";
import { type StoredToken, type TokenStoreShape, unresolvedIntent } from "./TokenStore.ts";
import { classifyProbeFailure, TokenEvent, transition } from "./TokenTransition.ts";
import {
  type Deadlines,
  deadlineReached,
  failureDelay,
  planDeadlines,
  probeDelay,
  refreshRetryDelay,
  type WatchSchedule,
} from "./WatchSchedule.ts";

/**
 * What one loop needs.
 *
 * @category models
 * @since 0.1.0
 */
export interface WatchLoop {
  readonly id: string;
  readonly store: TokenStoreShape;
  readonly client: TokenClientShape;
  readonly refresher: TokenRefresherShape;
  readonly schedule: WatchSchedule;
  readonly budget: RequestBudget;
  /** Spread the first probe over one interval (many tokens starting together). */
  readonly spreadStart: boolean;
  readonly emit: (status: TokenStatus, stored: StoredToken | undefined) => Effect.Effect<void>;
}

const now = Effect.all({ wall: Clock.currentTimeMillis, mono: monotonicMillis });

const isLow = (rateLimit: RateLimit | undefined, threshold: number | undefined): boolean => {
  if (rateLimit?.remaining === undefined) return false;
  const floor = threshold ?? (rateLimit.limit === undefined ? 0 : rateLimit.limit / 10);
  return rateLimit.remaining < floor;
};

/** How long a 429 asks us to wait: `Retry-After`, else the reset time, capped. */
const rateLimitWait = (error: MiroTokenError | RefreshError, wall: number, cap: number) => {
  if (error._tag !== "RateLimitedError") return undefined;
  const wait = error.retryAfter ?? (error.resetAt === undefined ? cap : error.resetAt - wall);
  return Math.min(cap, Math.max(0, wait));
};

/**
 * Run one token until a terminal status; returns the last generation it saw.
 *
 * @category watching
 * @since 0.1.0
 */
export const runWatchLoop = (loop: WatchLoop): Effect.Effect<number> =>
  Effect.gen(function* () {
    const { budget, schedule } = loop;
    let stored: StoredToken | undefined;
    let status: TokenStatus | undefined;
    let deadlines: Deadlines | undefined;
    let expiryReported = false;
    let expiringReported = false;
    let refreshRetryAt: number | undefined;
    /**
     * The store holds an unresolved refresh intent (a crashed or timed-out refresh): Miro may
     * have rotated, so the old access token proves nothing. No probe; the refresh resolves it.
     */
    let intentPending = false;
    /** Miro rejected the token and a refresh was tried since: the next rejection is final. */
    let refreshedAfterRejection = false;
    /** The refresh token issue time an early refresh was tried for: once per refresh token. */
    let aheadTriedFor: number | undefined;
    let failures = 0;
    let slow = 1;
    let gateKey = loop.id;
    let lastEmit = (yield* now).mono;
    let nextProbe =
      lastEmit + (loop.spreadStart ? Math.floor((yield* Random.next) * schedule.interval) : 0);

    const apply = (event: TokenEvent) =>
      Effect.gen(function* () {
        const at = yield* now;
        const next = transition(status, event, at.wall);
        const changed = status === undefined || !sameStatus(status, next);
        status = next;
        if (changed) {
          lastEmit = at.mono;
          yield* loop.emit(next, stored);
        }
      });

    const adopt = (next: StoredToken) =>
      Effect.gen(function* () {
        stored = next;
        intentPending = unresolvedIntent(next) !== undefined;
        gateKey = next.tokenSet.userId ?? gateKey;
        refreshRetryAt = undefined;
        expiryReported = false;
        expiringReported = false;
        const { expiresAt } = next.tokenSet;
        const at = yield* now;
        deadlines =
          expiresAt === undefined
            ? undefined
            : planDeadlines(schedule, expiresAt, at.wall, at.mono, yield* Random.next);
      });

    /** Count a failure; `expiryMono` makes it a refresh failure (retried before expiry). */
    const failed = (error: MiroTokenError | RefreshError | StoreError, expiryMono?: number) =>
      Effect.gen(function* () {
        failures += 1;
        const at = yield* now;
        const random = yield* Random.next;
        const delay =
          expiryMono === undefined
            ? failureDelay(schedule, failures, random)
            : refreshRetryDelay(schedule, failures, random, expiryMono - at.mono);
        const wait = rateLimitWait(error, at.wall, schedule.maxRateLimitWait);
        if (wait !== undefined) yield* budget.close(gateKey, at.mono + wait);
        const resetAt = wait === undefined ? undefined : at.wall + wait;
        return { attempt: failures, nextCheckAt: at.wall + delay, delay, resetAt, at };
      });

    const read = Effect.gen(function* () {
      const result = yield* Effect.result(loop.store.get(loop.id));
      if (Result.isFailure(result)) {
        const f = yield* failed(result.failure);
        const error = summarizeFailure(result.failure);
        yield* apply(TokenEvent.ProbeFailed({ error, refreshable: false, ...f }));
        nextProbe = f.at.mono + f.delay;
        return;
      }
      const found = result.success;
      if (found._tag === "None") {
        yield* apply(TokenEvent.Stop({ reason: "removed from the token store" }));
      } else if (stored === undefined || found.value.generation > stored.generation) {
        const first = stored === undefined;
        yield* adopt(found.value);
        if (!first) {
          const { generation, tokenSet } = found.value;
          yield* apply(TokenEvent.RefreshSucceeded({ generation, expiresAt: tokenSet.expiresAt }));
        }
      } else if (found.value.generation === stored.generation) {
        intentPending = unresolvedIntent(found.value) !== undefined;
      }
    });

    /**
     * A probe must not delay a refresh (retries can keep it busy for the client's whole
     * deadline): it is abandoned, unreported, when the refresh point arrives.
     */
    const probe = (current: StoredToken, refreshInMillis: number | undefined) =>
      Effect.gen(function* () {
        const refreshable = current.tokenSet.refreshToken !== undefined && !refreshedAfterRejection;
        const request = budget.withPermit(loop.client.info(current.tokenSet.accessToken));
        const outcome = yield* Effect.result(request).pipe(
          Effect.timeoutOption(Math.max(0, refreshInMillis ?? Number.POSITIVE_INFINITY)),
        );
        if (Option.isNone(outcome)) return;
        const result = outcome.value;
        if (Result.isSuccess(result)) {
          const { info, rateLimit } = result.success;
          failures = 0;
          refreshedAfterRejection = false;
          gateKey = current.tokenSet.userId ?? info.user.id;
          const at = yield* now;
          slow = isLow(rateLimit, schedule.lowRemainingThreshold) ? schedule.slowdown : 1;
          if (rateLimit?.remaining === 0 && rateLimit.resetAt !== undefined) {
            const wait = Math.min(schedule.maxRateLimitWait, rateLimit.resetAt - at.wall);
            yield* budget.close(gateKey, at.mono + Math.max(0, wait));
          }
          nextProbe = at.mono + probeDelay(schedule, yield* Random.next, slow);
          const expiresAt = current.tokenSet.expiresAt;
          return yield* apply(TokenEvent.ProbeSucceeded({ info, expiresAt }));
        }
        const error = result.failure;
        const f = yield* failed(error);
        nextProbe = f.at.mono + (f.resetAt === undefined ? f.delay : f.resetAt - f.at.wall);
        const summary = summarizeFailure(error);
        yield* apply(TokenEvent.ProbeFailed({ error: summary, refreshable, ...f }));
        if (classifyProbeFailure(summary, refreshable) === "refresh") {
          // One refresh decides, whatever Miro's status or code said (and with no known expiry).
          refreshedAfterRejection = true;
          refreshRetryAt = f.at.mono;
        }
      });

    const refresh = (current: StoredToken, plan: Deadlines | undefined) =>
      Effect.gen(function* () {
        if (refreshRetryAt === undefined && !intentPending && plan !== undefined) {
          const { expiresAt, refreshAt } = plan;
          yield* apply(TokenEvent.ExpiryApproaching({ expiresAt, refreshAt }));
        }
        yield* apply(TokenEvent.RefreshStarted());
        const onPersistFailed = (error: StoreError, attempt: number) =>
          apply(TokenEvent.PersistFailed({ error: summarizeFailure(error), attempt }));
        const result = yield* Effect.result(
          budget.withPermit(
            loop.refresher.refresh(loop.id, current.generation, { onPersistFailed }),
          ),
        );
        if (Result.isSuccess(result)) {
          failures = 0;
          yield* adopt(result.success);
          const { generation, tokenSet } = result.success;
          yield* apply(TokenEvent.RefreshSucceeded({ generation, expiresAt: tokenSet.expiresAt }));
          return;
        }
        const error = result.failure;
        const f = yield* failed(error, plan?.expiryMono);
        refreshRetryAt = f.at.mono + (f.resetAt === undefined ? f.delay : f.resetAt - f.at.wall);
        const reason = error._tag === "ReauthorizeRequiredError" ? error.reason : undefined;
        yield* apply(TokenEvent.RefreshFailed({ error: summarizeFailure(error), reason, ...f }));
        if (reason === undefined) yield* read;
      });

    yield* read;
    for (;;) {
      if (status !== undefined && isTerminal(status)) break;
      const current = stored;
      const at = yield* now;
      if (current === undefined) {
        if (at.mono >= nextProbe) yield* read;
        else yield* Effect.sleep(nextProbe - at.mono);
        continue;
      }
      const plan = deadlines;
      const refreshable = current.tokenSet.refreshToken !== undefined;
      const resolving = intentPending && plan !== undefined && refreshable;
      const refreshDue =
        refreshable &&
        (refreshRetryAt === undefined
          ? resolving ||
            (plan !== undefined && deadlineReached(plan.refreshAt, plan.refreshAtMono, at))
          : at.mono >= refreshRetryAt);
      // A refresh token near its end (60 days for Miro) is renewed once, ahead of it.
      const aheadDue =
        plan !== undefined &&
        refreshable &&
        refreshRetryAt === undefined &&
        current.tokenSet.refreshTokenIssuedAt !== aheadTriedFor &&
        isRefreshTokenExpiring(current.tokenSet, at.wall, schedule.refreshTokenAge);
      const probeDue = !resolving && at.mono >= nextProbe;
      const reopensAt = budget.reopensAt(gateKey, at.mono);
      if (probeDue && !refreshDue && reopensAt !== undefined) {
        // The user's quota is spent: probe after the reset, spread over one interval. A
        // refresh is not held back (it is rare, and letting the token lapse costs more).
        nextProbe = reopensAt + (yield* Random.next) * schedule.interval;
        continue;
      }
      if (refreshDue || aheadDue) {
        if (aheadDue) aheadTriedFor = current.tokenSet.refreshTokenIssuedAt;
        yield* refresh(current, plan);
        continue;
      }
      if (plan !== undefined && !refreshable && !expiringReported) {
        if (deadlineReached(plan.refreshAt, plan.refreshAtMono, at)) {
          expiringReported = true;
          yield* apply(TokenEvent.ExpiryApproaching(plan));
        }
      }
      if (
        plan !== undefined &&
        !expiryReported &&
        deadlineReached(plan.expiresAt, plan.expiryMono, at)
      ) {
        expiryReported = true;
        yield* apply(TokenEvent.ExpiryReached({ expiresAt: plan.expiresAt }));
        continue;
      }
      if (probeDue) {
        yield* read;
        const refreshAtMono = refreshable ? (refreshRetryAt ?? plan?.refreshAtMono) : undefined;
        const refreshIn = refreshAtMono === undefined ? undefined : refreshAtMono - at.mono;
        if (stored === current) yield* probe(current, refreshIn);
        continue;
      }
      const heartbeatAt =
        schedule.heartbeat === undefined ? undefined : lastEmit + schedule.heartbeat;
      if (heartbeatAt !== undefined && at.mono >= heartbeatAt && status !== undefined) {
        lastEmit = at.mono;
        yield* loop.emit(status, stored);
        continue;
      }
      const wakeups = resolving ? [] : [nextProbe];
      if (heartbeatAt !== undefined) wakeups.push(heartbeatAt);
      const refreshWake = refreshable ? (refreshRetryAt ?? plan?.refreshAtMono) : undefined;
      if (refreshWake !== undefined) wakeups.push(refreshWake);
      if (plan !== undefined && !expiryReported) wakeups.push(plan.expiryMono);
      if (plan !== undefined && !refreshable && !expiringReported) {
        wakeups.push(plan.refreshAtMono);
      }
      const sleep = Math.min(...wakeups) - at.mono;
      yield* Effect.sleep(Math.max(1, Math.min(sleep, schedule.interval * slow)));
    }
    return stored?.generation ?? 0;
  });
