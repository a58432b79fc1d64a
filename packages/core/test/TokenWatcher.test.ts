// The refresh contract of `TokenWatcher.watch` in its types (checked by `tsc` over this file):
// refresh options come only with a store, since a bare token or token set is probed only and a
// refreshed pair would have nowhere to go. The behaviour itself is in packages/scenarios.
import { describe, expect, it } from "@effect/vitest";
import { Effect, Redacted } from "effect";
import { makeMemoryStore, type TokenSet, TokenWatcher } from "../src/index.ts";

const tokenSet: TokenSet = { accessToken: Redacted.make("t0k3n-0001"), scopes: [] };

describe("TokenWatcher.watch options", () => {
  it("takes refresh options for a stored token only", async () => {
    const store = await Effect.runPromise(makeMemoryStore([{ id: "alice", tokenSet }]));
    const streams = [
      TokenWatcher.watch({ id: "alice", store }, { refreshWindow: "5 minutes", refreshJitter: 0 }),
      TokenWatcher.watch(tokenSet, { interval: "1 minute" }),
      // @ts-expect-error a token set is probed only: no refresh window
      TokenWatcher.watch(tokenSet, { refreshWindow: "5 minutes" }),
      // @ts-expect-error a bare token is probed only: no refresh jitter
      TokenWatcher.watch(tokenSet.accessToken, { refreshJitter: "10 seconds" }),
    ];
    expect(streams).toHaveLength(4);
  });
});
