/**
 * `miro-token demo`: one token's whole life on an embedded emulator, in seconds of real time.
 *
 * 1. The app gets a token set (the emulator issues it with a 25-second lifetime).
 * 2. `info`: Miro says it is active.
 * 3. `watch` (a background watcher over an in-memory store, probing every 2 s, refreshing 20 s
 *    before expiry) refreshes it; Miro rotates the pair, so the old access token is now
 *    rejected.
 * 4. `revoke --verify` kills the new token.
 * 5. The watcher's next probe sees it die: one refresh is tried and refused (`ReauthorizeRequired`).
 * 6. A token nobody refreshes: the emulator's clock jumps past its lifetime (no sleeping) and
 *    `info` says it is invalid.
 *
 * Human output tells the story; `--json` prints NDJSON (`step`, `status`, `result`, `done`).
 * Tokens appear only as fingerprints. Any step that does not go as told fails the demo.
 */
import {
  fingerprint,
  type InvalidTokenError,
  makeMemoryStore,
  type StoredToken,
  type TokenSet,
  type TokenStatus,
} from "@miro-token/core";
import type { Emulator } from "@miro-token/emulator";
import { Clock, Duration, Effect, Fiber, Queue, Redacted, Stream } from "effect";
import { type ConnectionSettings, clientLayerFor } from "./ClientLayer.ts";
import type { DemoInput } from "./commands/DemoCommand.ts";
import { startEmulatorScoped } from "./commands/EmulatorRun.ts";
import { infoLines, tokenInfo } from "./commands/InfoRun.ts";
import { revokeToken } from "./commands/RevokeRun.ts";
import { changeLine, eventDocument, type WatchEvent } from "./commands/WatchOutput.ts";
import { watchEvents } from "./commands/WatchRun.ts";
import { formatRemaining } from "./DurationText.ts";
import { DemoError } from "./Failure.ts";
import type { TransportName } from "./GlobalDefaults.ts";
import { isoTime, type OutputMode, printJson, printLines, style } from "./Output.ts";
import { checkPort } from "./PortOption.ts";
import type { RunContext } from "./RunContext.ts";
import { markStreaming } from "./RunJournal.ts";

/** Timing of the story (real time). */
export const DEMO_TIMING = {
  tokenLifetimeSeconds: 25,
  probeInterval: Duration.seconds(2),
  refreshWindow: Duration.seconds(20),
  refreshJitter: Duration.seconds(1),
  /** The longest a step may wait for the watcher. */
  stepTimeout: Duration.seconds(30),
} as const;

const STORE_ID = "demo-user";

/** Options of the demo. */
export interface DemoOptions {
  readonly transport: TransportName;
  /** Emulator port (0: any free one). */
  readonly port: number;
}

const say = (mode: OutputMode, lines: ReadonlyArray<string>) =>
  mode.json ? Effect.void : printLines(lines);

const step = (mode: OutputMode, number: number, title: string, detail: string) =>
  mode.json
    ? printJson({ type: "step", step: number, title })
    : printLines(["", style.bold(mode, `${number}. ${title}`), `   ${style.dim(mode, detail)}`]);

const result = (mode: OutputMode, data: Record<string, unknown>, lines: ReadonlyArray<string>) =>
  mode.json
    ? printJson({ type: "result", ...data })
    : printLines(lines.map((line) => `   ${line}`));

const demoFailure = (what: string) => new DemoError({ reason: what });

/** The whole demo. */
export const runDemo = (mode: OutputMode, options: DemoOptions) =>
  Effect.gen(function* () {
    const started = yield* Clock.currentTimeMillis;
    const emulator: Emulator = yield* startEmulatorScoped({ port: options.port });
    const app = emulator.createClient();
    const settings: ConnectionSettings = {
      baseUrl: emulator.baseUrl,
      transport: options.transport,
      attemptTimeout: Duration.seconds(5),
      retries: 2,
      clientId: app.clientId,
      hasClientSecret: true,
    };
    const client = yield* clientLayerFor(settings, Redacted.make(app.clientSecret), mode);

    yield* say(mode, [
      style.bold(mode, "miro-token demo: one access token's whole life, on a local Miro emulator"),
      style.dim(
        mode,
        `emulator ${emulator.baseUrl}, app client ${app.clientId}, transport ${options.transport}`,
      ),
    ]);

    // 1. A token set, as Miro's token endpoint hands it out after the user authorizes the app.
    const issued = emulator.issueTokens({
      clientId: app.clientId,
      accessTokenTtlSeconds: DEMO_TIMING.tokenLifetimeSeconds,
    });
    const now = yield* Clock.currentTimeMillis;
    const tokenSet: TokenSet = {
      accessToken: Redacted.make(issued.accessToken),
      ...(issued.refreshToken === undefined
        ? {}
        : { refreshToken: Redacted.make(issued.refreshToken) }),
      expiresAt: now + (issued.expiresIn ?? DEMO_TIMING.tokenLifetimeSeconds) * 1000,
      scopes: issued.scope.split(" "),
      teamId: issued.teamId,
      userId: issued.userId,
    };
    const first = yield* fingerprint(tokenSet.accessToken);
    yield* step(
      mode,
      1,
      "A user authorizes the app",
      "Miro issues an access token and a refresh token (this one lives 25 s).",
    );
    yield* result(mode, { step: 1, token: { fingerprint: first }, expiresAt: tokenSet.expiresAt }, [
      `token ${first} (fingerprint), expires in ${formatRemaining((tokenSet.expiresAt ?? now) - now)}`,
    ]);

    // 2. info
    yield* step(mode, 2, "miro-token info", "What Miro knows about the token.");
    const info = yield* tokenInfo(tokenSet.accessToken).pipe(Effect.provide(client));
    yield* result(
      mode,
      { step: 2, state: "active", user: info.info.user.name, scopes: info.info.scopes ?? [] },
      infoLines(mode, info).filter((line) => /state|user|scopes|rate limit/.test(line)),
    );

    // 3. watch through a refresh
    yield* step(
      mode,
      3,
      "miro-token watch",
      "Probe every 2 s and refresh 20 s before expiry, with the store protocol (lock, re-read, refresh, persist).",
    );
    const store = yield* makeMemoryStore([{ id: STORE_ID, tokenSet }]);
    const seen = yield* Queue.unbounded<WatchEvent>();
    const watcher = yield* watchEvents(
      { _tag: "Store", store },
      {
        interval: DEMO_TIMING.probeInterval,
        refreshWindow: DEMO_TIMING.refreshWindow,
        refreshJitter: DEMO_TIMING.refreshJitter,
      },
    ).pipe(
      Stream.runForEach((event) =>
        Effect.gen(function* () {
          const at = yield* Clock.currentTimeMillis;
          yield* mode.json
            ? printJson(eventDocument(event, at))
            : printLines([`   ${changeLine(mode, event, at)}`]);
          yield* Queue.offer(seen, event);
        }),
      ),
      Effect.provide(client),
      Effect.forkChild,
    );
    const waitForState = (...states: ReadonlyArray<TokenStatus["_tag"]>) =>
      Effect.gen(function* () {
        for (;;) {
          const event = yield* Queue.take(seen);
          if (states.includes(event.status._tag)) return event;
        }
      }).pipe(
        Effect.timeoutOrElse({
          duration: DEMO_TIMING.stepTimeout,
          orElse: () =>
            Effect.fail(demoFailure(`the watcher did not report ${states.join(" or ")} in time`)),
        }),
      );
    const refreshed = yield* waitForState("Refreshed");
    const stored: StoredToken | undefined = (yield* store.list())[0];
    if (stored === undefined) return yield* demoFailure("the store lost the token");
    const oldRejected = yield* tokenInfo(tokenSet.accessToken).pipe(
      Effect.provide(client),
      Effect.as(false),
      Effect.catchTag("InvalidTokenError", () => Effect.succeed(true)),
    );
    if (!oldRejected)
      return yield* demoFailure("the old access token still works after the refresh");
    yield* result(
      mode,
      {
        step: 3,
        refreshed: true,
        generation: refreshed.generation,
        token: { fingerprint: refreshed.fingerprint },
        oldTokenRejected: true,
      },
      [
        `refreshed: generation ${refreshed.generation}, new token ${refreshed.fingerprint}`,
        `the old token ${first} is now rejected: Miro rotated the pair (${style.red(mode, "token info rejects it")})`,
      ],
    );

    // 4. revoke
    yield* step(
      mode,
      4,
      "miro-token revoke --verify",
      "Revoke the new token through /v2/oauth/revoke, then prove it is dead.",
    );
    const revoked = yield* revokeToken(stored.tokenSet.accessToken, {
      verify: true,
      hasCredentials: true,
      allowV1: false,
    }).pipe(Effect.provide(client));
    yield* result(
      mode,
      { step: 4, revoked: true, endpoint: revoked.result.endpoint, verified: revoked.verified },
      [
        `revoked ${revoked.fingerprint} via ${revoked.result.endpoint}; token info now says invalid`,
      ],
    );

    // 5. the watcher sees it die
    yield* step(
      mode,
      5,
      "The watcher sees it die",
      "Its next probe is rejected; the one refresh that follows is refused too (revoking killed the refresh token): a terminal state, the watch ends.",
    );
    // Its next probe finds the token invalid; had a refresh come first, Miro would refuse the
    // revoked refresh token instead (ReauthorizeRequired). Either way the watcher saw it die.
    const died = yield* waitForState("Invalid", "ReauthorizeRequired");
    yield* Fiber.interrupt(watcher);
    yield* result(mode, { step: 5, state: died.status._tag }, [
      `${died.fingerprint} is ${style.red(mode, died.status._tag)}: miro-token watch would exit 3 here`,
    ]);

    // 6. expiry, on the emulator's clock
    yield* step(
      mode,
      6,
      "A token nobody refreshes",
      "Jump the emulator's clock past its lifetime instead of waiting.",
    );
    const idle = emulator.issueTokens({
      clientId: app.clientId,
      accessTokenTtlSeconds: DEMO_TIMING.tokenLifetimeSeconds,
    });
    emulator.clock.advance((DEMO_TIMING.tokenLifetimeSeconds + 1) * 1000);
    const expired = yield* tokenInfo(Redacted.make(idle.accessToken)).pipe(
      Effect.provide(client),
      Effect.as(undefined),
      Effect.catchTag("InvalidTokenError", (error: InvalidTokenError) => Effect.succeed(error)),
    );
    if (expired === undefined) return yield* demoFailure("the idle token did not expire");
    const idlePrint = yield* fingerprint(idle.accessToken);
    yield* result(
      mode,
      { step: 6, token: { fingerprint: idlePrint }, state: "expired", code: expired.code ?? null },
      [
        `clock +${DEMO_TIMING.tokenLifetimeSeconds + 1} s: ${idlePrint} -> ${style.red(mode, expired.code ?? "invalid")} (miro-token info exits 3)`,
      ],
    );

    const elapsed = (yield* Clock.currentTimeMillis) - started;
    if (mode.json) {
      yield* printJson({
        type: "done",
        ok: true,
        elapsedMs: elapsed,
        at: isoTime(yield* Clock.currentTimeMillis),
      });
    } else {
      yield* printLines([
        "",
        style.green(mode, `Done in ${(elapsed / 1000).toFixed(1)} s.`),
        "Next: miro-token emulator --show-token starts one to play with (http://127.0.0.1:8710);",
        "point any command at it with --base-url http://127.0.0.1:8710. See miro-token --help.",
      ]);
    }
  }).pipe(Effect.scoped);

/** The command: `--port` checked, then the story with the run's transport. */
export const runDemoCommand = (ctx: RunContext, input: DemoInput) =>
  Effect.andThen(
    markStreaming,
    Effect.flatMap(checkPort(input.port), (port) =>
      runDemo(ctx.mode, { transport: ctx.global.transport, port }),
    ),
  );
