/**
 * `miro-token login`: the authorization-code flow (`LoginFlow.ts`), then the token set is
 * saved in a store (`--store`, as a new generation of `--id`, so re-authorizing a dead token
 * revives its watcher) or, without a store, only described. The tokens are printed only with
 * `--show-token`.
 */
import {
  fingerprint,
  type StoreError,
  type TokenSet,
  type TokenStoreShape,
} from "@miro-token/core";
import { Clock, Effect, Option, Redacted } from "effect";
import { formatRemaining } from "../DurationText.ts";
import { isoTime, type OutputMode, style, table } from "../Output.ts";

/** What `login` reports. */
export interface LoginReport {
  readonly fingerprint: string;
  readonly expiresAt: number | null;
  readonly scopes: ReadonlyArray<string>;
  readonly userId: string | null;
  readonly stored: { readonly id: string; readonly generation: number } | null;
  readonly now: number;
  readonly accessToken: string | undefined;
}

/** Save a token set as the next generation of `id` (a new entry when absent). */
export const saveTokenSet = (
  store: TokenStoreShape,
  id: string,
  tokenSet: TokenSet,
): Effect.Effect<{ readonly id: string; readonly generation: number }, StoreError> =>
  store.withLock(
    id,
    Effect.gen(function* () {
      for (;;) {
        const current = yield* store.get(id);
        const generation = Option.match(current, {
          onNone: () => 0,
          onSome: (entry) => entry.generation,
        });
        const written = yield* store.compareAndSet(id, generation, tokenSet);
        if (written._tag === "Written") return { id, generation: written.stored.generation };
      }
    }),
  );

/** The report of a login. */
export const loginReport = (
  tokenSet: TokenSet,
  stored: LoginReport["stored"],
  showToken: boolean,
): Effect.Effect<LoginReport> =>
  Effect.gen(function* () {
    return {
      fingerprint: yield* fingerprint(tokenSet.accessToken),
      expiresAt: tokenSet.expiresAt ?? null,
      scopes: tokenSet.scopes,
      userId: tokenSet.userId ?? null,
      stored,
      now: yield* Clock.currentTimeMillis,
      accessToken: showToken ? Redacted.value(tokenSet.accessToken) : undefined,
    };
  });

/** The `--json` document of a login. */
export const loginDocument = (report: LoginReport) => ({
  ok: true as const,
  command: "login" as const,
  token: { fingerprint: report.fingerprint },
  expiresAt: report.expiresAt,
  scopes: report.scopes,
  userId: report.userId,
  stored: report.stored,
  ...(report.accessToken === undefined ? {} : { accessToken: report.accessToken }),
});

/** Human lines of a login. */
export const loginLines = (mode: OutputMode, report: LoginReport): ReadonlyArray<string> =>
  table(mode, [
    ["state", style.green(mode, "signed in")],
    ["token", `${report.fingerprint} (fingerprint)`],
    [
      "expires",
      report.expiresAt === null
        ? "never"
        : `${isoTime(report.expiresAt)} (in ${formatRemaining(report.expiresAt - report.now)})`,
    ],
    ["scopes", report.scopes.join(" ") || "-"],
    [
      "stored",
      report.stored === null
        ? "not stored (use --store <path> to keep it)"
        : `${report.stored.id}, generation ${report.stored.generation}`,
    ],
    ...(report.accessToken === undefined ? [] : [["access token", report.accessToken] as const]),
  ]);
