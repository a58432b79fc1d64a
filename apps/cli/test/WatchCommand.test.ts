// `miro-token watch` in process on the TestClock (probe cadence and refresh deadlines move only
// when the test adjusts the clock) against a real emulator on loopback: NDJSON events, the TTY
// status line, --once, --until, --fail-if-ttl-below, a whole store refreshed ahead of expiry,
// and a token revoked behind the watcher's back.

import { describe, expect, it } from "@effect/vitest";
import { type Duration, Effect, Fiber } from "effect";
import { TestClock } from "effect/testing";
import { eventually, prepare, run, runEffect } from "./CliHarness.ts";
import { emulatorPerFile } from "./EmulatorPerFile.ts";
import { emulatorEnv, tokenResponseOf } from "./Fixtures.ts";
import { tempPath } from "./TempFiles.ts";

const emulator = emulatorPerFile();

const events = (stdout: string) =>
  stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map(
      (line) =>
        JSON.parse(line) as {
          type: string;
          state?: string;
          id?: string | null;
          generation?: number | null;
        },
    );

describe("watch one token", () => {
  it.effect("--once prints one NDJSON event and exits 0 for an active token", () =>
    Effect.gen(function* () {
      const { accessToken } = emulator.issueTokens();
      const result = yield* runEffect(["watch", "--once"], {
        env: { ...emulatorEnv(emulator), MIRO_ACCESS_TOKEN: accessToken },
      });
      expect(result.exitCode).toBe(0);
      const [event, ...rest] = events(result.stdout);
      expect(rest).toEqual([]);
      expect(event).toMatchObject({ type: "status", state: "Active", id: null });
      expect(result.stdout).not.toContain(accessToken);
    }),
  );

  it.effect("--once exits 3 for a revoked token", () =>
    Effect.gen(function* () {
      const { accessToken } = emulator.issueTokens();
      emulator.revokeAccess(accessToken);
      const result = yield* runEffect(["watch", "--once", "--json"], {
        env: { ...emulatorEnv(emulator), MIRO_ACCESS_TOKEN: accessToken },
      });
      expect(result.exitCode).toBe(3);
      const lines = events(result.stdout);
      expect(lines[0]).toMatchObject({ state: "Invalid" });
      expect(lines.at(-1)).toMatchObject({
        ok: false,
        error: { tag: "WatchConditionError" },
      } as never);
    }),
  );

  it.effect(
    "probes on the interval and ends with exit 3 when the token is revoked behind its back",
    () =>
      Effect.gen(function* () {
        const { accessToken } = emulator.issueTokens();
        const { program, capture } = yield* prepare(["watch", "--interval", "30s", "--json"], {
          env: { ...emulatorEnv(emulator), MIRO_ACCESS_TOKEN: accessToken },
        });
        const fiber = yield* Effect.forkChild(program);
        yield* eventually(capture.stdout, (text) => text.includes('"Active"'));
        const before = emulator.requests.length;
        yield* TestClock.adjust("20 seconds");
        expect(emulator.requests.length).toBe(before);
        emulator.revokeAccess(accessToken);
        yield* TestClock.adjust("15 seconds");
        const exitCode = yield* Fiber.join(fiber);
        expect(exitCode).toBe(3);
        expect(
          events(yield* capture.stdout).map((event) => event.state ?? event.type ?? "end"),
        ).toEqual(["Active", "Invalid", "end"]);
      }),
  );

  it.effect("--until Invalid exits 0 when the token dies", () =>
    Effect.gen(function* () {
      const { accessToken } = emulator.issueTokens();
      const { program, capture } = yield* prepare(
        ["watch", "--until", "invalid", "--interval", "10s"],
        {
          env: { ...emulatorEnv(emulator), MIRO_ACCESS_TOKEN: accessToken },
        },
      );
      const fiber = yield* Effect.forkChild(program);
      yield* eventually(capture.stdout, (text) => text.includes('"Active"'));
      emulator.revokeAccess(accessToken);
      yield* TestClock.adjust("11 seconds");
      expect(yield* Fiber.join(fiber)).toBe(0);
    }),
  );

  it.effect("draws a live status line on a terminal", () =>
    Effect.gen(function* () {
      const { accessToken } = emulator.issueTokens();
      const { program, capture } = yield* prepare(["watch", "--interval", "60s"], {
        env: { ...emulatorEnv(emulator), MIRO_ACCESS_TOKEN: accessToken, NO_COLOR: "1" },
        stdoutIsTerminal: true,
      });
      const fiber = yield* Effect.forkChild(program);
      yield* eventually(Effect.sync(capture.display), (text) => text.includes("Active"));
      yield* TestClock.adjust("1 second");
      const display = capture.display();
      expect(display).toContain("\r\u001b[2K");
      expect(display).toMatch(/[0-9a-f]{8} {2}Active/);
      expect(display).toMatch(/● [0-9a-f]{8} {2}Active {2}next probe in \d+s/);
      expect(yield* capture.stdout).toBe("");
      yield* Fiber.interrupt(fiber);
    }),
  );

  it.effect("exits 2 for a bad --until, --interval or --fail-if-ttl-below", () =>
    Effect.gen(function* () {
      const env = { MIRO_ACCESS_TOKEN: "token" };
      expect((yield* runEffect(["watch", "--until", "Sleeping"], { env })).exitCode).toBe(2);
      expect((yield* runEffect(["watch", "--interval", "never"], { env })).exitCode).toBe(2);
      expect((yield* runEffect(["watch", "--fail-if-ttl-below", "-1s"], { env })).exitCode).toBe(2);
    }),
  );
});

/** Step the TestClock, letting real sockets answer between steps, until `predicate` holds. */
const drive = (
  read: Effect.Effect<string>,
  predicate: (text: string) => boolean,
  step: Duration.Input,
) =>
  eventually(
    Effect.gen(function* () {
      yield* TestClock.adjust(step);
      return yield* read;
    }),
    predicate,
    // Each step waits for real sockets: generous, for a loaded machine.
    20_000,
  );

describe("watch a store", () => {
  const storeWith = async (id: string, document: string) => {
    const store = tempPath("store");
    expect(
      (await run(["store", "add", "--store", store, "--id", id], { stdin: document })).exitCode,
    ).toBe(0);
    return store;
  };

  it.effect("refreshes a token ahead of expiry and --until Refreshed exits 0", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now());
      const tokens = emulator.issueTokens();
      const store = yield* Effect.promise(() => storeWith("alice", tokenResponseOf(tokens)));
      const { program, capture } = yield* prepare(
        ["watch", "--store", store, "--until", "Refreshed", "--refresh-window", "5m"],
        { env: emulatorEnv(emulator) },
      );
      const fiber = yield* Effect.forkChild(program);
      yield* drive(capture.stdout, (text) => text.includes('"Active"'), "10 seconds");
      expect(emulator.refreshTokenState(tokens.refreshToken!)).toBe("active");
      // Move to the refresh point: 5 minutes (plus jitter) before the stored expiry.
      yield* drive(capture.stdout, (text) => text.includes('"Refreshed"'), "2 minutes");
      expect(yield* Fiber.join(fiber)).toBe(0);
      expect(events(yield* capture.stdout).map((event) => event.state)).toEqual(
        expect.arrayContaining(["Active", "Expiring", "Refreshing", "Refreshed"]),
      );
      expect(emulator.refreshTokenState(tokens.refreshToken!)).toBe("rotated");
      expect(events(yield* capture.stdout).at(-1)).toMatchObject({
        id: "alice",
        generation: 2,
        state: "Refreshed",
      });
    }),
  );

  it.effect(
    "interrupted with --json, it ends its NDJSON with one interrupted line naming what it saved",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now());
        const tokens = emulator.issueTokens();
        const store = yield* Effect.promise(() => storeWith("alice", tokenResponseOf(tokens)));
        const { program, capture } = yield* prepare(
          ["watch", "--store", store, "--json", "--refresh-window", "5m"],
          { env: emulatorEnv(emulator) },
        );
        const fiber = yield* Effect.forkChild(program);
        yield* drive(capture.stdout, (text) => text.includes('"Active"'), "10 seconds");
        yield* drive(capture.stdout, (text) => text.includes('"Refreshed"'), "2 minutes");
        yield* Fiber.interrupt(fiber);
        const lines = (yield* capture.stdout).split("\n").filter((line) => line !== "");
        for (const line of lines) JSON.parse(line);
        expect(JSON.parse(lines.at(-1)!)).toEqual({
          ok: false,
          error: { tag: "Interrupted", message: "interrupted (SIGINT or SIGTERM)" },
          exitCode: 130,
          interrupted: true,
          saved: [{ what: "store entry", id: "alice", generation: 2 }],
        });
      }),
  );

  it.effect("--fail-if-ttl-below exits 3 as soon as a token is too close to expiry", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now());
      const store = yield* Effect.promise(() =>
        storeWith("bob", tokenResponseOf(emulator.issueTokens())),
      );
      const { program, capture } = yield* prepare(
        ["watch", "--store", store, "--fail-if-ttl-below", "2h", "--json"],
        { env: emulatorEnv(emulator) },
      );
      const fiber = yield* Effect.forkChild(program);
      yield* drive(capture.stdout, (text) => text.includes('"ok":false'), "10 seconds");
      expect(yield* Fiber.join(fiber)).toBe(3);
      const lines = events(yield* capture.stdout);
      expect(lines[0]).toMatchObject({ state: "Active", id: "bob" });
      expect(lines.at(-1)).toMatchObject({
        ok: false,
        error: { tag: "WatchConditionError" },
      } as never);
    }),
  );

  it.effect("--once reports every token of the store", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now());
      const store = yield* Effect.promise(() =>
        storeWith("one", tokenResponseOf(emulator.issueTokens())),
      );
      yield* Effect.promise(() =>
        run(["store", "add", "--store", store, "--id", "two"], {
          stdin: tokenResponseOf(emulator.issueTokens()),
        }),
      );
      const { program, capture } = yield* prepare(["watch", "--store", store, "--once"], {
        env: emulatorEnv(emulator),
      });
      const fiber = yield* Effect.forkChild(program);
      // watchMany spreads the first probes over the interval.
      yield* drive(
        capture.stdout,
        (text) => text.includes('"id":"one"') && text.includes('"id":"two"'),
        "5 seconds",
      );
      expect(yield* Fiber.join(fiber)).toBe(0);
    }),
  );

  it.effect("exits 2 when given both a store and a token", () =>
    Effect.gen(function* () {
      const result = yield* runEffect(["watch", "--store", tempPath("s"), "-"], { stdin: "token" });
      expect(result.exitCode).toBe(2);
    }),
  );
});
