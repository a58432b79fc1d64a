// `miro-token login` in process, end to end against the emulator's /oauth/authorize: the
// printed URL is followed like a browser would (302 to our loopback callback), the code is
// exchanged and the set saved; forged state, denial, timeout and missing credentials fail.

import { describe, expect, it } from "@effect/vitest";
import { Effect, Fiber } from "effect";
import { TestClock } from "effect/testing";
import { UrlOpener } from "../src/LoginFlow.ts";
import { eventually, jsonOf, prepare, run, runEffect } from "./CliHarness.ts";
import { emulatorPerFile } from "./EmulatorPerFile.ts";
import { emulatorEnv } from "./Fixtures.ts";
import { tempPath } from "./TempFiles.ts";

const emulator = emulatorPerFile();

const authorizeUrlIn = (stderr: string): string | undefined =>
  /^(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)$/m.exec(stderr)?.[1];

/** Start a login, follow the printed URL like a browser, and return the run's result. */
const loginFollowing = (argv: ReadonlyArray<string>, tamper: (url: URL) => URL = (url) => url) =>
  Effect.gen(function* () {
    const { program, capture } = yield* prepare(["login", ...argv], { env: emulatorEnv(emulator) });
    const fiber = yield* Effect.forkChild(program);
    const stderr = yield* eventually(capture.stderr, (text) => authorizeUrlIn(text) !== undefined);
    const url = tamper(new URL(authorizeUrlIn(stderr)!));
    const page = yield* Effect.promise(() => fetch(url).then((response) => response.text()));
    const exitCode = yield* Fiber.join(fiber);
    return { exitCode, page, url, stdout: yield* capture.stdout, stderr: yield* capture.stderr };
  });

describe("login", () => {
  it.live("signs in through /oauth/authorize and saves the token set in the store", () =>
    Effect.gen(function* () {
      const store = tempPath("store");
      const result = yield* loginFollowing(["--store", store, "--id", "me", "--json"]);
      expect(result.exitCode).toBe(0);
      expect(result.page).toContain("signed in");
      expect(result.url.searchParams.get("redirect_uri")).toMatch(
        /^http:\/\/127\.0\.0\.1:\d+\/callback$/,
      );
      expect(result.url.searchParams.get("state")).toMatch(/^[\w-]{43}$/);
      const doc = JSON.parse(result.stdout) as {
        stored: { id: string; generation: number };
        token: { fingerprint: string };
      };
      expect(doc.stored).toEqual({ id: "me", generation: 1 });
      const listed = jsonOf(
        yield* Effect.promise(() => run(["store", "list", "--store", store, "--json"])),
      ) as {
        tokens: Array<{ id: string; fingerprint: string; refreshable: boolean }>;
      };
      expect(listed.tokens).toEqual([
        expect.objectContaining({
          id: "me",
          fingerprint: doc.token.fingerprint,
          refreshable: true,
        }),
      ]);
      // Signing in again makes a new generation of the same id.
      const again = yield* loginFollowing(["--store", store, "--id", "me", "--json"]);
      expect(JSON.parse(again.stdout)).toMatchObject({ stored: { id: "me", generation: 2 } });
    }),
  );

  it.live("opens the URL with the desktop opener on a terminal", () =>
    Effect.gen(function* () {
      const opened: Array<string> = [];
      const { program, capture } = yield* prepare(["login"], {
        env: { ...emulatorEnv(emulator), NO_COLOR: "1" },
        stdoutIsTerminal: true,
      });
      const exitCode = yield* program.pipe(
        Effect.provideService(UrlOpener, {
          open: (url) =>
            Effect.promise(async () => {
              opened.push(url);
              await fetch(url);
              return true;
            }),
        }),
      );
      expect(exitCode).toBe(0);
      expect(opened).toHaveLength(1);
      const stdout = yield* capture.stdout;
      expect(stdout).toMatch(/^state {4}signed in$/m);
      expect(stdout).toMatch(/^stored {3}not stored/m);
      expect(yield* capture.stderr).toContain("was not saved");
    }),
  );

  it.live("refuses a callback with a forged state (exit 4) and exchanges nothing", () =>
    Effect.gen(function* () {
      const before = emulator.requests.filter(
        (request) => request.path === "/v1/oauth/token",
      ).length;
      const result = yield* loginFollowing(["--json"], (url) => {
        url.searchParams.set("state", "forged");
        return url;
      });
      expect(result.exitCode).toBe(4);
      expect(result.page).toContain("does not match");
      expect(JSON.parse(result.stdout)).toMatchObject({ error: { tag: "LoginError" } });
      expect(emulator.requests.filter((request) => request.path === "/v1/oauth/token").length).toBe(
        before,
      );
    }),
  );

  it.live("exits 4 when Miro does not authorize the app", () =>
    Effect.gen(function* () {
      const result = yield* loginFollowing(["--json"], (url) => {
        url.searchParams.set("response_type", "token");
        return url;
      });
      expect(result.exitCode).toBe(4);
      expect(JSON.parse(result.stdout)).toMatchObject({
        error: { tag: "LoginError", message: expect.stringContaining("unsupported_response_type") },
      });
    }),
  );

  it.effect("exits 4 when nobody comes back within --wait", () =>
    Effect.gen(function* () {
      const { program, capture } = yield* prepare(["login", "--wait", "2m", "--json"], {
        env: emulatorEnv(emulator),
      });
      const fiber = yield* Effect.forkChild(program);
      yield* eventually(capture.stderr, (text) => authorizeUrlIn(text) !== undefined);
      yield* TestClock.adjust("2 minutes");
      expect(yield* Fiber.join(fiber)).toBe(4);
      expect(yield* capture.stdout).toContain("nobody completed the sign-in within 2m");
    }),
  );

  it.effect("exits 2 without client credentials", () =>
    Effect.gen(function* () {
      const result = yield* runEffect(["login", "--json"], {
        env: { MIRO_API_BASE_URL: emulator.baseUrl },
      });
      expect(result.exitCode).toBe(2);
      expect(jsonOf(result)).toMatchObject({
        error: { tag: "UsageError", hint: expect.stringContaining("--client-id") },
      });
    }),
  );
});
