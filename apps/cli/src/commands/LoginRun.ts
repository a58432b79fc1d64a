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
import { Clock, Console, Effect, Option, Redacted } from "effect";
import { durationOption, formatRemaining } from "../DurationText.ts";
import { UsageError } from "../Failure.ts";
import { authorizationCodeFlow, defaultAuthorizeUrl } from "../LoginFlow.ts";
import { isoTime, type OutputMode, printJson, printLines, style, table, warn } from "../Output.ts";
import { checkPort } from "../PortOption.ts";
import type { RunContext } from "../RunContext.ts";
import { recordSaved } from "../RunJournal.ts";
import { openStoreIfGiven } from "../StoreAccess.ts";
import type { LoginInput } from "./LoginCommand.ts";
import { checkId } from "./StoreRun.ts";

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
        if (written._tag === "Written") {
          yield* recordSaved({ what: "store entry", id, generation: written.stored.generation });
          return { id, generation: written.stored.generation };
        }
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

/** The command: check everything first, then run the flow, then save and report. */
export const runLogin = (ctx: RunContext, input: LoginInput) =>
  Effect.gen(function* () {
    const { layer, settings } = yield* ctx.client.connect;
    if (settings.clientId === undefined || !settings.hasClientSecret) {
      return yield* new UsageError({
        reason: "login needs the app's client id and client secret",
        hint: "pass --client-id <id> (or MIRO_CLIENT_ID) and MIRO_CLIENT_SECRET or --client-secret-file <path>",
      });
    }
    yield* checkPort(input.port);
    const timeout = yield* durationOption("--wait", input.wait);
    const authorizeUrl =
      Option.getOrUndefined(input.authorizeUrl) ?? defaultAuthorizeUrl(settings.baseUrl);
    const parsed = URL.parse(authorizeUrl);
    if (parsed === null || !/^https?:$/.test(parsed.protocol)) {
      return yield* new UsageError({ reason: "--authorize-url must be an http(s) URL" });
    }
    const requestedId = Option.isSome(input.id) ? yield* checkId(input.id.value) : undefined;
    const store = yield* openStoreIfGiven(input);
    const { tokenSet } = yield* authorizationCodeFlow({
      clientId: settings.clientId,
      authorizeUrl,
      port: input.port,
      scopes: Option.match(input.scope, {
        onNone: () => [],
        onSome: (text) => text.split(/[\s,]+/).filter((scope) => scope !== ""),
      }),
      timeout,
      open: !input.noBrowser && ctx.mode.interactive,
      onAuthorizeUrl: (url) =>
        Console.error(
          `miro-token: open this URL to sign in (waiting up to ${input.wait}):\n${url}`,
        ),
    }).pipe(Effect.provide(layer), Effect.scoped);
    const id = requestedId ?? (yield* checkId(tokenSet.userId ?? "default"));
    const stored = store === undefined ? null : yield* saveTokenSet(store, id, tokenSet);
    if (store === undefined && !input.showToken) {
      yield* warn("the token set was not saved (no --store); it is lost when this command ends");
    }
    const report = yield* loginReport(tokenSet, stored, input.showToken);
    yield* ctx.mode.json
      ? printJson(loginDocument(report))
      : printLines(loginLines(ctx.mode, report));
  });
