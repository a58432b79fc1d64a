/**
 * The store protocol every refresher follows, in one place for the conformance suite's
 * participants (fibers or processes): take the token's lock, re-read, skip if someone already
 * moved past the generation the caller saw expire, refresh at Miro, compare-and-set. With a
 * correct store, N participants told at once that generation g expired make exactly one
 * refresh request.
 */
import { type StoredToken, TokenClient, TokenStore } from "@miro-token/core";
import { Effect, Option } from "effect";

/** What one participant did in one round. */
export type RoundOutcome = "refreshed" | "skipped" | "conflict" | `failed:${string}`;

/**
 * Refresh `tokenId` if it is still at `generation`, under the store's lock. Never fails: a
 * failure is reported as `failed:<Tag>`.
 */
export const refreshIfStill = (
  tokenId: string,
  generation: number,
): Effect.Effect<RoundOutcome, never, TokenStore | TokenClient> =>
  Effect.gen(function* () {
    const store = yield* TokenStore;
    const client = yield* TokenClient;
    return yield* store.withLock(
      tokenId,
      Effect.gen(function* () {
        const found: Option.Option<StoredToken> = yield* store.get(tokenId);
        if (Option.isNone(found)) return "failed:Missing" as const;
        const current = found.value;
        if (current.generation !== generation) return "skipped" as const;
        const fresh = yield* client.refresh(current.tokenSet);
        const result = yield* store.compareAndSet(tokenId, current.generation, fresh);
        return result._tag === "Conflict" ? ("conflict" as const) : ("refreshed" as const);
      }),
    );
  }).pipe(
    Effect.catch((error: { readonly _tag: string }) =>
      Effect.succeed(`failed:${error._tag}` as const),
    ),
  );
