/**
 * The interpreter of the watch plan: it runs the actions {@link planNext} names for one token
 * and records their outcomes in the token's {@link WatchRecord}. `step` runs actions until the
 * plan says sleep (returning when to wake) or done; `runWatchLoop` drives one token with its
 * own sleeps (`watch`), and `WatchScheduler.ts` drives many from one heap (`watchMany`). A
 * token's steps never overlap, so a token never has two requests in flight.
 *
 * Every observation becomes a {@link TokenEvent} and the pure {@link transition} decides the
 * status, emitted only when it changed ({@link sameStatus}) or on the heartbeat.
 *
 * Rate limits: a low `X-RateLimit-Remaining` slows probing down; a spent quota (remaining 0,
 * or a 429) closes the {@link RequestBudget} gate of the token's user until the reset, and the
 * probes held back are spread over one interval after it. A refresh is never held back by
 * the gate (a 429 from the token endpoint itself delays only that refresh).
 *
 * @since 0.1.0
 */
import { Effect, Option, Random, Result } from "effect";
import type { DueItem } from "./DueHeap.ts";
import type { MiroTokenError, StoreError } from "./Errors.ts";
import type { RateLimit } from "./RateLimit.ts";
import type { RequestBudget } from "./RequestBudget.ts";
import { isGoneFromStore } from "./StoreAbsence.ts";
import type { TokenClientShape } from "./TokenClient.ts";
import { TokenEvent } from "./TokenEvent.ts";
import type { RefreshError, TokenRefresherShape } from "./TokenRefresher.ts";
import { sameStatus, summarizeFailure, type TokenStatus } from "./TokenStatus.ts";
import { type StoredToken, type TokenStoreShape, unresolvedIntent } from "./TokenStore.ts";
import { classifyProbeFailure, transition } from "./TokenTransition.ts";
import { planNext } from "./WatchPlan.ts";
import {
  adoptInto,
  failureOutcome,
  makeRecord,
  type WatchRecord,
  watchNow,
} from "./WatchRecord.ts";
import { probeAt, type WatchSchedule } from "./WatchSchedule.ts";

export { makeRecord, type WatchRecord } from "./WatchRecord.ts";

/**
 * What every token of one watch shares.
 *
 * @category models
 * @since 0.3.0
 */
export interface WatchContext {
  readonly store: TokenStoreShape;
  readonly client: TokenClientShape;
  readonly refresher: TokenRefresherShape;
  readonly schedule: WatchSchedule;
  readonly budget: RequestBudget;
  /**
   * The store reports its changes (`TokenStoreShape.changes`, consumed by the scheduler): what
   * was read stays current until a change says otherwise. Without it, every probe reads first.
   */
  readonly followsChanges: boolean;
  /**
   * A probe is cut short when a refresh falls due (it must not delay it); a probe can take at
   * most this long (the client's deadline), so a refresh further away needs no timer.
   */
  readonly probeLimit: number;
  readonly emit: (record: WatchRecord, status: TokenStatus) => Effect.Effect<void>;
}

const isLow = (rateLimit: RateLimit | undefined, threshold: number | undefined): boolean => {
  if (rateLimit?.remaining === undefined) return false;
  const floor = threshold ?? (rateLimit.limit === undefined ? 0 : rateLimit.limit / 10);
  return rateLimit.remaining < floor;
};

/**
 * Apply `event`; emit the status when it changed. An unchanged `Active` keeps the object that
 * was emitted (its consumers hold it too) and records only the new check time: one copy of
 * each token's `TokenInfo` in memory, not two.
 */
const apply = (ctx: WatchContext, rec: WatchRecord, event: TokenEvent) =>
  Effect.flatMap(watchNow, (at) => {
    const before = rec.status;
    const next = transition(before, event, at.wall);
    if (next._tag === "Active") rec.checkedAt = next.checkedAt;
    if (before !== undefined && sameStatus(before, next)) {
      if (next._tag !== "Active") rec.status = next;
      return Effect.void;
    }
    rec.status = next;
    rec.lastEmit = at.mono;
    return ctx.emit(rec, next);
  });

/** The status a heartbeat re-emits: the current one, as of the last check. */
const current = (rec: WatchRecord, status: TokenStatus): TokenStatus =>
  status._tag === "Active" && status.checkedAt !== rec.checkedAt
    ? { ...status, checkedAt: rec.checkedAt }
    : status;

const adopt = (ctx: WatchContext, rec: WatchRecord, next: StoredToken) =>
  Effect.flatMap(watchNow, (at) =>
    Effect.map(Random.next, (random) => adoptInto(rec, ctx.schedule, next, at, random)),
  );

/** Count a failure; `expiryMono` makes it a refresh failure (retried before expiry). */
const failed = (
  ctx: WatchContext,
  rec: WatchRecord,
  error: MiroTokenError | RefreshError | StoreError,
  expiryMono?: number,
) =>
  Effect.gen(function* () {
    rec.failures += 1;
    const at = yield* watchNow;
    const f = failureOutcome(ctx.schedule, rec.failures, error, at, yield* Random.next, expiryMono);
    if (f.gateUntil !== undefined) yield* ctx.budget.close(rec.gateKey, f.gateUntil);
    return f;
  });

const read = (ctx: WatchContext, rec: WatchRecord) =>
  Effect.gen(function* () {
    const result = yield* Effect.result(ctx.store.get(rec.id));
    if (Result.isFailure(result)) {
      const f = yield* failed(ctx, rec, result.failure);
      const error = summarizeFailure(result.failure);
      yield* apply(ctx, rec, TokenEvent.ProbeFailed({ error, refreshable: false, ...f.event }));
      rec.nextProbe = f.at.mono + f.delay;
      return;
    }
    rec.stale = false;
    const found = result.success;
    const stored = rec.stored;
    if (found._tag === "None") {
      yield* apply(ctx, rec, TokenEvent.Stop({ reason: "removed from the token store" }));
    } else if (stored === undefined || found.value.generation > stored.generation) {
      yield* adopt(ctx, rec, found.value);
      if (stored !== undefined) {
        const { generation, tokenSet } = found.value;
        const event = TokenEvent.RefreshSucceeded({ generation, expiresAt: tokenSet.expiresAt });
        yield* apply(ctx, rec, event);
      }
    } else if (found.value.generation === stored.generation) {
      rec.intentPending = unresolvedIntent(found.value) !== undefined;
    }
  });

/**
 * A probe must not delay a refresh (retries can keep it busy for the client's whole
 * deadline): it is abandoned, unreported, when the refresh point arrives.
 */
const probe = (ctx: WatchContext, rec: WatchRecord, timeoutAfter: number | undefined) =>
  Effect.gen(function* () {
    const { budget, schedule } = ctx;
    const current = rec.stored as StoredToken;
    const refreshable = current.tokenSet.refreshToken !== undefined && !rec.refreshedAfterRejection;
    // A change that arrived while waiting for a permit (a new pair, a removal, the token handed
    // to another replica of a fleet) is read before anything is sent for the pair held.
    const request = budget.withPermit(
      Effect.suspend(() =>
        rec.stale
          ? Effect.succeed(undefined)
          : Effect.result(ctx.client.info(current.tokenSet.accessToken)),
      ),
    );
    const guarded = timeoutAfter !== undefined && timeoutAfter <= ctx.probeLimit;
    const outcome = guarded
      ? yield* Effect.timeoutOption(request, Math.max(0, timeoutAfter))
      : Option.some(yield* request);
    // Never cleared here: a change reported during the request must still be read.
    if (!ctx.followsChanges) rec.stale = true;
    if (Option.isNone(outcome) || outcome.value === undefined) return;
    const result = outcome.value;
    if (Result.isSuccess(result)) {
      const { info, rateLimit } = result.success;
      rec.failures = 0;
      rec.refreshedAfterRejection = false;
      rec.gateKey = current.tokenSet.userId ?? info.user.id;
      const at = yield* watchNow;
      rec.slow = isLow(rateLimit, schedule.lowRemainingThreshold) ? schedule.slowdown : 1;
      if (rateLimit?.remaining === 0 && rateLimit.resetAt !== undefined) {
        const wait = Math.min(schedule.maxRateLimitWait, rateLimit.resetAt - at.wall);
        yield* budget.close(rec.gateKey, at.mono + Math.max(0, wait));
      }
      rec.nextProbe = probeAt(schedule, at.mono, yield* Random.next, rec.slow);
      const expiresAt = current.tokenSet.expiresAt;
      return yield* apply(ctx, rec, TokenEvent.ProbeSucceeded({ info, expiresAt }));
    }
    const error = result.failure;
    const f = yield* failed(ctx, rec, error);
    rec.nextProbe = f.retryAt;
    const summary = summarizeFailure(error);
    yield* apply(ctx, rec, TokenEvent.ProbeFailed({ error: summary, refreshable, ...f.event }));
    if (classifyProbeFailure(summary, refreshable) === "refresh") {
      // One refresh decides, whatever Miro's status or code said (and with no known expiry).
      rec.refreshedAfterRejection = true;
      rec.refreshRetryAt = f.at.mono;
    }
  });

const refresh = (ctx: WatchContext, rec: WatchRecord) =>
  Effect.gen(function* () {
    const current = rec.stored as StoredToken;
    const plan = rec.deadlines;
    if (rec.refreshRetryAt === undefined && !rec.intentPending && plan !== undefined) {
      const { expiresAt, refreshAt } = plan;
      yield* apply(ctx, rec, TokenEvent.ExpiryApproaching({ expiresAt, refreshAt }));
    }
    yield* apply(ctx, rec, TokenEvent.RefreshStarted());
    const onPersistFailed = (error: StoreError, attempt: number) =>
      apply(ctx, rec, TokenEvent.PersistFailed({ error: summarizeFailure(error), attempt }));
    const result = yield* Effect.result(
      ctx.budget.withPermit(ctx.refresher.refresh(rec.id, current.generation, { onPersistFailed })),
    );
    if (Result.isSuccess(result)) {
      rec.failures = 0;
      yield* adopt(ctx, rec, result.success);
      const { generation, tokenSet } = result.success;
      const event = TokenEvent.RefreshSucceeded({ generation, expiresAt: tokenSet.expiresAt });
      return yield* apply(ctx, rec, event);
    }
    const error = result.failure;
    const reason = error._tag === "ReauthorizeRequiredError" ? error.reason : undefined;
    // Gone from the store (removed, or in a fleet handed to another replica): the read says
    // so (`Stopped`), not a re-authorization of a token that may be fine.
    if (isGoneFromStore(reason)) return yield* read(ctx, rec);
    const f = yield* failed(ctx, rec, error, plan?.expiryMono);
    rec.refreshRetryAt = f.retryAt;
    const summary = summarizeFailure(error);
    yield* apply(ctx, rec, TokenEvent.RefreshFailed({ error: summary, reason, ...f.event }));
    if (reason === undefined) yield* read(ctx, rec);
  });

/**
 * Run the token's due actions until the plan says sleep: the monotonic time to wake at, or
 * `undefined` once the token reached a terminal status.
 *
 * @category watching
 * @since 0.3.0
 */
export const step = (ctx: WatchContext, rec: WatchRecord): Effect.Effect<number | undefined> =>
  Effect.gen(function* () {
    for (;;) {
      const at = yield* watchNow;
      const action = planNext(rec, ctx.schedule, at, ctx.budget.reopensAt(rec.gateKey, at.mono));
      switch (action._tag) {
        case "Done":
          return undefined;
        case "Sleep":
          return action.until;
        case "Read":
          yield* read(ctx, rec);
          break;
        case "Probe":
          yield* probe(ctx, rec, action.timeoutAfter);
          break;
        case "Refresh":
          if (action.ahead) rec.aheadTriedFor = rec.stored?.tokenSet.refreshTokenIssuedAt;
          yield* refresh(ctx, rec);
          break;
        case "Defer":
          // Probe after the reset, spread over one interval.
          rec.nextProbe = action.reopensAt + (yield* Random.next) * ctx.schedule.interval;
          break;
        case "ReportExpiring": {
          rec.expiringReported = true;
          const plan = rec.deadlines;
          if (plan !== undefined) yield* apply(ctx, rec, TokenEvent.ExpiryApproaching(plan));
          break;
        }
        case "ReportExpired":
          rec.expiryReported = true;
          yield* apply(ctx, rec, TokenEvent.ExpiryReached({ expiresAt: rec.deadlines?.expiresAt }));
          break;
        case "Heartbeat":
          rec.lastEmit = at.mono;
          if (rec.status !== undefined) yield* ctx.emit(rec, current(rec, rec.status));
          break;
      }
    }
  });

/**
 * Run one token until a terminal status, sleeping on its own; returns the last generation it
 * saw. The first action reads the token from the store.
 *
 * @category watching
 * @since 0.1.0
 */
export const runWatchLoop = (ctx: WatchContext, id: string): Effect.Effect<number> =>
  Effect.gen(function* () {
    const at = yield* watchNow;
    const rec: WatchRecord & DueItem = makeRecord(id, at.mono, at.mono);
    for (;;) {
      const until = yield* step(ctx, rec);
      if (until === undefined) return rec.stored?.generation ?? 0;
      yield* Effect.sleep(Math.max(1, until - (yield* watchNow).mono));
    }
  });
