// Token sets decoded from different files share one copy of an equal scope list and team id
// (a watcher holds every token set it watches), and the sharing tables stay bounded.
import { describe, expect, it } from "@effect/vitest";
import type { StoredToken } from "@miro-token/core";
import { Effect, Redacted } from "effect";
import { SHARED_LIMIT, sharedScopes, sharedTeamId } from "../src/SharedValues.ts";
import * as StoreCodec from "../src/StoreCodec.ts";

const stored = (id: string, scopes: Array<string>, teamId: string): StoredToken => ({
  id,
  generation: 1,
  updatedAt: 0,
  tokenSet: { accessToken: Redacted.make(`at-${id}`), scopes, teamId, userId: `u-${id}` },
});

const roundTrip = (token: StoredToken) =>
  StoreCodec.decode(StoreCodec.encode(token, undefined), token.id, "f", "get", undefined);

describe("SharedValues", () => {
  it.effect("two decoded token sets with equal scopes and team share one copy of each", () =>
    Effect.gen(function* () {
      const a = yield* roundTrip(stored("a", ["boards:read", "boards:write"], "3074457000"));
      const b = yield* roundTrip(stored("b", ["boards:read", "boards:write"], "3074457000"));
      expect(a.tokenSet.scopes).toEqual(["boards:read", "boards:write"]);
      expect(b.tokenSet.scopes).toBe(a.tokenSet.scopes);
      expect(Object.isFrozen(a.tokenSet.scopes)).toBe(true);
      const c = yield* roundTrip(stored("c", ["boards:read"], "3074457000"));
      expect(c.tokenSet.scopes).toEqual(["boards:read"]);
      expect(c.tokenSet.scopes).not.toBe(a.tokenSet.scopes);
      expect(b.tokenSet.userId).toBe("u-b");
    }),
  );

  it("shares no more than SHARED_LIMIT distinct values of each kind", () => {
    for (let i = 0; i < SHARED_LIMIT + 10; i++) {
      sharedScopes([`limit-${i}`]);
      sharedTeamId(`limit-${i}`);
    }
    const late = [`late-scope`];
    expect(sharedScopes(late)).toBe(late);
    expect(sharedScopes([`late-scope`])).not.toBe(late);
    const first = sharedScopes(["limit-0"]);
    expect(sharedScopes(["limit-0"])).toBe(first);
  });
});
