/**
 * The lifecycle rules: fast-check properties over random event sequences (fixed seed) — every
 * step is a legal move, a transient failure never makes a token Invalid (or anything terminal),
 * terminal statuses absorb everything — plus the rules worth reading one by one.
 */
import { describe, expect, it } from "@effect/vitest";
import { Schema } from "effect";
import fc from "fast-check";
import {
  ALLOWED_TRANSITIONS,
  type FailureSummary,
  isTerminal,
  REFRESH_OUTCOME_LOST,
  StoreError,
  sameStatus,
  TOKEN_STATUS_TAGS,
  TokenEvent,
  type TokenInfo,
  TokenStatus,
  transition,
} from "../src/index.ts";
import {
  classifyProbeFailure,
  isAllowedTransition,
  isTransientFailure,
  summarizeFailure,
} from "../src/internal.ts";

const SEED = 20261127;
const RUNS = 2_000;

const entity = (type: string, id: string) => ({ type, name: `${type} name`, id });
const INFO: TokenInfo = {
  type: "oAuthToken",
  team: entity("team", "3074457358607431473"),
  createdBy: entity("user", "3458764517517852417"),
  user: entity("user", "3458764517517852417"),
  scopes: ["boards:read"],
};

const transientFailure: fc.Arbitrary<FailureSummary> = fc.oneof(
  fc.record({
    tag: fc.constant("TransportError"),
    kind: fc.constantFrom("Network", "Timeout", "Aborted", "BodyTooLarge"),
  }),
  fc.record({ tag: fc.constant("ServerError"), status: fc.constantFrom(408, 500, 502, 503, 504) }),
  fc.record({ tag: fc.constant("RateLimitedError"), status: fc.constant(429) }),
  fc.record({ tag: fc.constant("ResponseDecodeError"), status: fc.constant(200) }),
  fc.record({ tag: fc.constant("UnexpectedStatusError"), status: fc.constantFrom(403, 404) }),
  fc.record({ tag: fc.constant("StoreError") }),
);

const definiteFailure: fc.Arbitrary<FailureSummary> = fc.oneof(
  fc.record({
    tag: fc.constant("InvalidTokenError"),
    status: fc.constantFrom(400, 401),
    code: fc.constantFrom("tokenInvalid", "tokenExpired", "tokenNotProvided"),
  }),
  fc.record({
    tag: fc.constant("InvalidGrantError"),
    status: fc.constant(400),
    code: fc.constant("invalidGrant"),
  }),
  fc.record({ tag: fc.constant("RefreshOutcomeUnknownError"), status: fc.constant(400) }),
  fc.record({ tag: fc.constant("ReauthorizeRequiredError") }),
  fc.record({ tag: fc.constant("ClientAuthError"), status: fc.constant(401) }),
  fc.record({ tag: fc.constant("MissingCredentialsError") }),
  fc.record({ tag: fc.constant("MalformedTokenError") }),
);

const anyFailure = fc.oneof(transientFailure, definiteFailure);
const time = fc.integer({ min: 0, max: 4_000_000_000_000 });
const maybeTime = fc.option(time, { nil: undefined });

const eventOf = (failure: fc.Arbitrary<FailureSummary>): fc.Arbitrary<TokenEvent> =>
  fc.oneof(
    maybeTime.map((expiresAt) => TokenEvent.ProbeSucceeded({ info: INFO, expiresAt })),
    fc
      .record({
        error: failure,
        refreshable: fc.boolean(),
        attempt: fc.nat(10),
        nextCheckAt: time,
        resetAt: maybeTime,
      })
      .map((fields) => TokenEvent.ProbeFailed(fields)),
    fc
      .record({ expiresAt: time, refreshAt: time })
      .map((fields) => TokenEvent.ExpiryApproaching(fields)),
    fc.constant(TokenEvent.RefreshStarted()),
    fc
      .record({ expiresAt: maybeTime, generation: fc.nat(100) })
      .map((fields) => TokenEvent.RefreshSucceeded(fields)),
    fc
      .record({
        error: failure,
        reason: fc.option(fc.constantFrom(REFRESH_OUTCOME_LOST, "no refresh token"), {
          nil: undefined,
        }),
        attempt: fc.nat(10),
        nextCheckAt: time,
        resetAt: maybeTime,
      })
      .map((fields) => TokenEvent.RefreshFailed(fields)),
    fc
      .record({ error: transientFailure, attempt: fc.nat(10) })
      .map((fields) => TokenEvent.PersistFailed(fields)),
    time.map((resetAt) => TokenEvent.RateLimitHit({ resetAt })),
    maybeTime.map((expiresAt) => TokenEvent.ExpiryReached({ expiresAt })),
    fc.constant(TokenEvent.RevokedByUs()),
    fc
      .constantFrom("interrupted", "removed from store")
      .map((reason) => TokenEvent.Stop({ reason })),
  );

/** Runs of events without the ones a human or the caller causes (revoke, stop). */
const anyEvent = eventOf(anyFailure);
const sequences = fc.array(fc.tuple(anyEvent, time), { minLength: 1, maxLength: 60 });

const run = (events: ReadonlyArray<readonly [TokenEvent, number]>) => {
  const statuses: Array<TokenStatus | undefined> = [undefined];
  for (const [event, now] of events) statuses.push(transition(statuses.at(-1), event, now));
  return statuses;
};

const isStatus = Schema.is(TokenStatus);
const params = { seed: SEED, numRuns: RUNS };

describe("transition: properties over random event sequences", () => {
  it("is total and every step is a legal move", () => {
    fc.assert(
      fc.property(sequences, (events) => {
        const statuses = run(events);
        for (let i = 1; i < statuses.length; i++) {
          const before = statuses[i - 1];
          const after = statuses[i];
          if (after === undefined || !isStatus(after)) return false;
          if (!isAllowedTransition(before?._tag, after._tag)) return false;
        }
        return true;
      }),
      params,
    );
  });

  it("never makes a token Invalid or terminal from a transient failure", () => {
    const transientEvent = eventOf(transientFailure).filter(
      (event) => event._tag === "ProbeFailed" || event._tag === "RefreshFailed",
    );
    fc.assert(
      fc.property(sequences, transientEvent, time, (prefix, event, now) => {
        const before = run(prefix).at(-1);
        const after = transition(before, event, now);
        if (before !== undefined && isTerminal(before)) return after === before;
        return !isTerminal(after);
      }),
      params,
    );
  });

  it("reports Invalid only when Miro rejected the access token", () => {
    fc.assert(
      fc.property(sequences, (events) => {
        const statuses = run(events);
        return events.every(([event], i) => {
          const before = statuses[i];
          const after = statuses[i + 1];
          if (after?._tag !== "Invalid" || before?._tag === "Invalid") return true;
          return event._tag === "ProbeFailed" && event.error.tag === "InvalidTokenError";
        });
      }),
      params,
    );
  });

  it("a refresh whose outcome was lost is ReauthorizeRequired, never Invalid", () => {
    const lost = TokenEvent.RefreshFailed({
      error: { tag: "ReauthorizeRequiredError" },
      reason: REFRESH_OUTCOME_LOST,
      attempt: 1,
      nextCheckAt: 0,
    });
    fc.assert(
      fc.property(sequences, time, (prefix, now) => {
        const before = run(prefix).at(-1);
        const after = transition(before, lost, now);
        if (before !== undefined && isTerminal(before)) return after === before;
        if (before?._tag === "PersistFailed") return after === before;
        return after._tag === "ReauthorizeRequired" && after.reason === REFRESH_OUTCOME_LOST;
      }),
      params,
    );
  });

  it("keeps a terminal status for ever, unchanged", () => {
    fc.assert(
      fc.property(sequences, sequences, (prefix, rest) => {
        const reached = run(prefix).at(-1);
        if (reached === undefined || !isTerminal(reached)) return true;
        let status: TokenStatus = reached;
        for (const [event, now] of rest) status = transition(status, event, now);
        return status === reached;
      }),
      params,
    );
  });

  it("is deterministic (pure)", () => {
    fc.assert(
      fc.property(sequences, (events) => {
        const a = run(events).at(-1);
        const b = run(events).at(-1);
        return a !== undefined && b !== undefined && sameStatus(a, b) && sameStatus(b, a);
      }),
      params,
    );
  });

  it("reaches every status (the generators are not too narrow to be meaningful)", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(sequences, (events) => {
        for (const status of run(events)) if (status !== undefined) seen.add(status._tag);
        return true;
      }),
      params,
    );
    expect([...seen].sort()).toEqual([...TOKEN_STATUS_TAGS].sort());
  });
});

describe("transition: the rules one by one", () => {
  const active = transition(undefined, TokenEvent.ProbeSucceeded({ info: INFO }), 1_000);
  const probeFailed = (error: FailureSummary, refreshable: boolean) =>
    TokenEvent.ProbeFailed({ error, refreshable, attempt: 1, nextCheckAt: 5_000 });

  it("a probe that succeeds is Active, stamped with the time", () => {
    expect(active).toMatchObject({ _tag: "Active", checkedAt: 1_000 });
  });

  it("a 5xx, a timeout or a reset on token info is Unreachable, never Invalid", () => {
    for (const error of [
      { tag: "ServerError", status: 503 },
      { tag: "TransportError", kind: "Timeout" },
      { tag: "TransportError", kind: "Network" },
    ]) {
      expect(transition(active, probeFailed(error, false), 2_000)).toEqual({
        _tag: "Unreachable",
        error,
        attempt: 1,
        nextCheckAt: 5_000,
      });
    }
  });

  it("a refresh that fails because the store is unavailable is Unreachable with that cause", () => {
    const error = summarizeFailure(
      new StoreError({
        attempts: 0,
        operation: "lock",
        reason: "unavailable: …",
        kind: "Unavailable",
      }),
    );
    expect(error).toEqual({ tag: "StoreError", kind: "Unavailable" });
    const failed = TokenEvent.RefreshFailed({ error, attempt: 1, nextCheckAt: 5_000 });
    expect(transition(active, failed, 2_000)).toEqual({
      _tag: "Unreachable",
      error,
      attempt: 1,
      nextCheckAt: 5_000,
    });
  });

  it("token info 400/401 on a token that cannot be refreshed is Invalid with Miro's code", () => {
    const error = { tag: "InvalidTokenError", status: 400, code: "tokenInvalid" };
    expect(transition(active, probeFailed(error, false), 2_000)).toEqual({
      _tag: "Invalid",
      status: 400,
      code: "tokenInvalid",
    });
  });

  it("any token-info rejection (400/401, any code or none) of a refreshable token is Expired", () => {
    for (const status of [400, 401]) {
      for (const code of ["tokenExpired", "tokenInvalid", "unrecognized", undefined]) {
        const error = { tag: "InvalidTokenError", status, ...(code === undefined ? {} : { code }) };
        expect(transition(active, probeFailed(error, true), 2_000)._tag).toBe("Expired");
        expect(classifyProbeFailure(error, true)).toBe("refresh");
        expect(transition(active, probeFailed(error, false), 2_000)._tag).toBe("Invalid");
      }
    }
  });

  it("a rejected or ambiguous refresh requires re-authorization; a 503 does not", () => {
    const refreshing = transition(active, TokenEvent.RefreshStarted(), 2_000);
    const failed = (error: FailureSummary) =>
      transition(
        refreshing,
        TokenEvent.RefreshFailed({ error, attempt: 1, nextCheckAt: 9_000 }),
        3_000,
      );
    expect(failed({ tag: "InvalidGrantError", status: 400, code: "invalidGrant" })).toEqual({
      _tag: "ReauthorizeRequired",
      reason: "InvalidGrantError (invalidGrant)",
    });
    expect(failed({ tag: "RefreshOutcomeUnknownError", status: 400 })._tag).toBe(
      "ReauthorizeRequired",
    );
    expect(failed({ tag: "ServerError", status: 503 })._tag).toBe("Unreachable");
    expect(failed({ tag: "RateLimitedError", status: 429 })._tag).toBe("RateLimited");
  });

  it("probe results and clock events are ignored while a refresh is in flight", () => {
    const refreshing = transition(active, TokenEvent.RefreshStarted(), 2_000);
    const invalid = { tag: "InvalidTokenError", status: 400, code: "tokenInvalid" };
    expect(transition(refreshing, probeFailed(invalid, true), 3_000)).toBe(refreshing);
    expect(transition(refreshing, TokenEvent.ExpiryReached({}), 3_000)).toBe(refreshing);
    const persisting = transition(
      refreshing,
      TokenEvent.PersistFailed({ error: { tag: "StoreError" }, attempt: 1 }),
      3_000,
    );
    expect(persisting._tag).toBe("PersistFailed");
    expect(transition(persisting, probeFailed(invalid, true), 4_000)).toBe(persisting);
    expect(transition(persisting, TokenEvent.RefreshSucceeded({ generation: 2 }), 5_000)).toEqual({
      _tag: "Refreshed",
      generation: 2,
    });
  });

  it("an expired token stays Expired through transient failures until a refresh decides", () => {
    const expired = transition(active, TokenEvent.ExpiryReached({ expiresAt: 1_500 }), 2_000);
    const error = { tag: "ServerError", status: 502 };
    expect(transition(expired, probeFailed(error, true), 3_000)).toBe(expired);
    expect(transition(expired, TokenEvent.RefreshStarted(), 3_000)._tag).toBe("Refreshing");
  });

  it("the table marks exactly the terminal statuses as self-only", () => {
    const selfOnly = TOKEN_STATUS_TAGS.filter(
      (tag) => ALLOWED_TRANSITIONS[tag].size === 1 && ALLOWED_TRANSITIONS[tag].has(tag),
    );
    expect(selfOnly).toEqual(["Invalid", "ReauthorizeRequired", "Revoked", "Stopped"]);
    expect(isTransientFailure({ tag: "InvalidTokenError" })).toBe(false);
  });

  it("sameStatus ignores bookkeeping (checkedAt, attempt) but not meaning", () => {
    const later = transition(active, TokenEvent.ProbeSucceeded({ info: INFO }), 9_000);
    expect(sameStatus(active, later)).toBe(true);
    const a = transition(active, probeFailed({ tag: "ServerError", status: 503 }, true), 1);
    const b = transition(a, probeFailed({ tag: "ServerError", status: 503 }, true), 2);
    const c = transition(b, probeFailed({ tag: "ServerError", status: 502 }, true), 3);
    expect(sameStatus(a, b)).toBe(true);
    expect(sameStatus(b, c)).toBe(false);
  });
});
