/**
 * `miro-token watch`: follow one token (probe only) or every token of a store (probe and
 * refresh ahead of expiry, with the store protocol) through core's `TokenWatcher`. On a
 * terminal a live status line (state, time to expiry, next probe, a spinner while a request is
 * in flight) with one line per change above it; otherwise, or with `--json`, NDJSON events.
 *
 * `--once` stops after the first status (of every token), `--until <state>` when a token
 * reaches that state, `--fail-if-ttl-below <duration>` fails (exit 3) as soon as a token's
 * time to expiry drops below it. A watch that ends in a bad state fails with its exit code.
 */
import {
  fingerprint,
  refreshTokenExpiresAt,
  TOKEN_STATUS_TAGS,
  type TokenClient,
  type TokenStatusTag,
  TokenStore,
  type TokenStoreShape,
  TokenWatcher,
  type WatchOptions,
} from "@miro-token/core";
import {
  Clock,
  Duration,
  Effect,
  Fiber,
  Layer,
  Option,
  type Redacted,
  Stream,
  Terminal,
} from "effect";
import { durationOption } from "../DurationText.ts";
import { UsageError, WatchConditionError } from "../Failure.ts";
import { type OutputMode, printJson } from "../Output.ts";
import type { RequestActivity, RunContext } from "../RunContext.ts";
import { markStreaming, recordSaved } from "../RunJournal.ts";
import { openSelected, selectedStore } from "../StoreAccess.ts";
import { resolveTokenArguments } from "../TokenInput.ts";
import type { WatchInput } from "./WatchCommand.ts";
import { changeLine, eventDocument, statusLine, type WatchEvent } from "./WatchOutput.ts";
import { endFailureOf, failureOf, type StopConditions } from "./WatchStop.ts";

export type { WatchEvent } from "./WatchOutput.ts";
export type { StopConditions } from "./WatchStop.ts";

/** What to watch. */
export type WatchSource =
  | { readonly _tag: "Token"; readonly token: Redacted.Redacted<string> }
  | { readonly _tag: "Store"; readonly store: TokenStoreShape };

/** The events of a source, as a stream. */
export const watchEvents = (
  source: WatchSource,
  options: WatchOptions,
): Stream.Stream<WatchEvent, never, TokenClient> => {
  if (source._tag === "Token") {
    // A lone token is probed only (nowhere to keep a rotated pair): refresh options are for
    // a store's tokens, and core's types refuse them here.
    const { refreshWindow: _window, refreshJitter: _jitter, ...probe } = options;
    return Stream.unwrap(
      Effect.map(fingerprint(source.token), (print) =>
        TokenWatcher.watch(source.token, probe).pipe(
          Stream.map(
            (status): WatchEvent => ({ id: null, fingerprint: print, generation: null, status }),
          ),
        ),
      ),
    );
  }
  const { store } = source;
  // The refresh token's end comes from the store (its issue time), for --fail-if-ttl-below.
  return TokenWatcher.watchMany(options).pipe(
    Stream.mapEffect((event) =>
      store.get(event.id).pipe(
        Effect.map(
          (found): WatchEvent => ({
            ...event,
            refreshTokenExpiresAt: Option.match(found, {
              onNone: () => undefined,
              onSome: (stored) => refreshTokenExpiresAt(stored.tokenSet),
            }),
          }),
        ),
        Effect.orElseSucceed((): WatchEvent => ({ ...event })),
      ),
    ),
    Stream.provide(Layer.succeed(TokenStore, store)),
  );
};

/**
 * Run a watch to its end: print each event (NDJSON or the live line) and stop as the
 * conditions say. `expectedIds` are the tokens `--once` waits for (one for a single token).
 */
export const runWatch = (
  events: Stream.Stream<WatchEvent, never, TokenClient>,
  mode: OutputMode,
  conditions: StopConditions,
  options: {
    readonly expectedIds: number;
    readonly interval: Duration.Duration;
    readonly activity: RequestActivity;
  },
): Effect.Effect<void, WatchConditionError, TokenClient | Terminal.Terminal> =>
  Effect.gen(function* () {
    const live = !mode.json && mode.interactive;
    const terminal = yield* Terminal.Terminal;
    const latest = new Map<string, WatchEvent>();
    const state = { frame: 0, lastIdleAt: undefined as number | undefined, completed: 0 };
    const draw = (text: string) => terminal.display(text).pipe(Effect.ignore);
    const redraw = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis;
      const busy = options.activity.inFlight > 0;
      if (options.activity.completed !== state.completed && !busy) {
        state.completed = options.activity.completed;
        state.lastIdleAt = now;
      }
      state.frame += 1;
      const nextProbeAt =
        state.lastIdleAt === undefined
          ? undefined
          : state.lastIdleAt + Duration.toMillis(options.interval);
      yield* draw(`\r\u001b[2K${statusLine(mode, latest, now, nextProbeAt, state.frame, busy)}`);
    });
    const ticker = live
      ? yield* Effect.forkChild(Effect.forever(Effect.andThen(redraw, Effect.sleep("100 millis"))))
      : undefined;

    if (!live) yield* markStreaming;
    // A generation above the last one seen for an id is a refresh that reached the store.
    const seenGeneration = new Map<string, number>();
    let last: WatchEvent | undefined;
    let failure: WatchConditionError | undefined;
    let reachedUntil = false;
    yield* events.pipe(
      Stream.takeUntil((event) => {
        last = event;
        latest.set(event.id ?? event.fingerprint, event);
        if (conditions.until !== undefined && event.status._tag === conditions.until)
          reachedUntil = true;
        return reachedUntil || (conditions.once && latest.size >= options.expectedIds);
      }),
      Stream.runForEach((event) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis;
          if (event.id !== null && event.generation !== null) {
            const seen = seenGeneration.get(event.id);
            if (seen === undefined || event.generation > seen) {
              seenGeneration.set(event.id, event.generation);
              if (seen !== undefined) {
                yield* recordSaved({
                  what: "store entry",
                  id: event.id,
                  generation: event.generation,
                });
              }
            }
          }
          if (live) {
            yield* draw(`\r\u001b[2K${changeLine(mode, event, now)}\n`);
            yield* redraw;
          } else {
            yield* printJson(eventDocument(event, now));
          }
          failure ??= failureOf(event, conditions, now);
          if (failure !== undefined) return yield* failure;
        }),
      ),
      Effect.ensuring(
        ticker === undefined ? Effect.void : Effect.andThen(Fiber.interrupt(ticker), draw("\n")),
      ),
    );
    if (reachedUntil) return;
    if (conditions.once) {
      for (const event of latest.values()) {
        const bad = endFailureOf(event, conditions);
        if (bad !== undefined) return yield* bad;
      }
      return;
    }
    if (last !== undefined) {
      const bad = endFailureOf(last, conditions);
      if (bad !== undefined) return yield* bad;
    }
    if (conditions.until !== undefined) {
      return yield* new WatchConditionError({
        reason: `the watch ended before reaching ${conditions.until}`,
        state: last?.status._tag ?? "none",
      });
    }
  }).pipe(Effect.scoped);

/** Watch options from the command line. */
export const watchOptionsOf = (
  interval: Duration.Duration,
  refreshWindow: Duration.Duration,
): WatchOptions => ({
  interval,
  refreshWindow,
  refreshJitter: Duration.millis(Math.min(30_000, Duration.toMillis(refreshWindow) / 10)),
});

/** Check a `--until` value against the status tags (case-insensitive). */
export const parseState = (
  text: string,
  tags: ReadonlyArray<TokenStatusTag>,
): Option.Option<TokenStatusTag> =>
  Option.fromNullishOr(tags.find((tag) => tag.toLowerCase() === text.toLowerCase()));

/** The command: one token from the token inputs, or every token of `--store`. */
export const runWatchCommand = (ctx: RunContext, input: WatchInput) =>
  Effect.gen(function* () {
    const interval = yield* durationOption("--interval", input.interval);
    const refreshWindow = yield* durationOption("--refresh-window", input.refreshWindow);
    const failIfTtlBelow = Option.isSome(input.failIfTtlBelow)
      ? yield* durationOption("--fail-if-ttl-below", input.failIfTtlBelow.value)
      : undefined;
    const until = Option.flatMap(input.until, (text) => parseState(text, TOKEN_STATUS_TAGS));
    if (Option.isSome(input.until) && Option.isNone(until)) {
      return yield* new UsageError({
        reason: `--until must be one of ${TOKEN_STATUS_TAGS.join(", ")}`,
      });
    }
    const { layer } = yield* ctx.client.connect;
    const activity = ctx.client.activity;
    let source: WatchSource;
    let expectedIds = 1;
    const selection = yield* selectedStore(input, false);
    if (Option.isSome(selection)) {
      if (Option.isSome(input.tokenFile) || Option.isSome(input.stdin)) {
        return yield* new UsageError({ reason: "give either --store or one token, not both" });
      }
      const store = yield* openSelected(selection.value);
      expectedIds = (yield* store.list()).length;
      if (expectedIds === 0 && (input.once || Option.isSome(until))) {
        return yield* new UsageError({
          reason: "the store is empty: nothing to wait for",
          hint: "add a token with miro-token store add or miro-token login --store",
        });
      }
      source = { _tag: "Store", store };
    } else {
      source = { _tag: "Token", token: yield* resolveTokenArguments(input) };
    }
    yield* runWatch(
      watchEvents(source, watchOptionsOf(interval, refreshWindow)),
      ctx.mode,
      { once: input.once, until: Option.getOrUndefined(until), failIfTtlBelow },
      { expectedIds, interval, activity },
    ).pipe(Effect.provide(layer));
  });
