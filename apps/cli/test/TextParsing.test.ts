// The pure pieces: remaining-time text, the argv guard, one-newline stripping, and the watch
// status line and stop conditions. (The duration grammar is core's: `core/test/Settings.test.ts`
// and `SharedRules.test.ts`.)
import { stripOneNewline, type TokenStatus } from "@miro-token/core";
import { Duration } from "effect";
import { describe, expect, it } from "vitest";
import { debugRequested, jsonRequested, refuseSecretsOnArgv } from "../src/ArgvGuard.ts";
import { statusLine, type WatchEvent } from "../src/commands/WatchOutput.ts";
import { endFailureOf, failureOf } from "../src/commands/WatchStop.ts";
import { formatRemaining } from "../src/DurationText.ts";

describe("formatRemaining", () => {
  it("formats remaining time", () => {
    expect(formatRemaining(0)).toBe("expired");
    expect(formatRemaining(850)).toBe("850ms");
    expect(formatRemaining(12_000)).toBe("12s");
    expect(formatRemaining(3_598_000)).toBe("59m 58s");
    expect(formatRemaining(3_600_000)).toBe("1h 0m");
  });
});

describe("argv guard", () => {
  it.each([
    ["--token=x"],
    ["--TOKEN", "x"],
    ["--access-token", "x"],
    ["--refresh-token=x"],
    ["--client-secret", "x"],
    ["--bearer=x"],
    ["eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_abc"],
  ])("refuses %j", (...argv) => {
    const refusal = refuseSecretsOnArgv(["info", ...argv]);
    expect(refusal?._tag).toBe("UsageError");
    expect(refusal?.message).not.toContain("=x");
    expect(refusal?.message).not.toContain("abc");
  });

  it.each([["--token-file", "t.txt"], ["--client-secret-file", "s"], ["--tokens"], ["-"]])(
    "accepts %j",
    (...argv) => {
      expect(refuseSecretsOnArgv(["info", ...argv])).toBeUndefined();
    },
  );

  it("reads --json and --debug before parsing, stopping at --", () => {
    expect(jsonRequested(["info", "--json"])).toBe(true);
    expect(jsonRequested(["--json", "info", "--json=false"])).toBe(false);
    expect(jsonRequested(["info", "--", "--json"])).toBe(false);
    expect(debugRequested(["--debug"])).toBe(true);
  });
});

describe("stripOneNewline", () => {
  it("strips exactly one trailing line break", () => {
    expect(stripOneNewline("abc\n")).toBe("abc");
    expect(stripOneNewline("abc\r\n")).toBe("abc");
    expect(stripOneNewline("abc\n\n")).toBe("abc\n");
    expect(stripOneNewline("abc ")).toBe("abc ");
    expect(stripOneNewline("abc")).toBe("abc");
  });
});

describe("watch status line and conditions", () => {
  const mode = { json: false, color: false, verbose: false, interactive: true };
  const event = (status: TokenStatus, id: string | null = null): WatchEvent => ({
    id,
    fingerprint: "0123abcd",
    generation: id === null ? null : 1,
    status,
  });
  const info = {
    type: "oAuthToken",
    team: { type: "team", name: "t", id: "1" },
    createdBy: { type: "user", name: "u", id: "2" },
    user: { type: "user", name: "u", id: "2" },
  };

  it("shows state, time to expiry, next probe and a spinner while a request is in flight", () => {
    const latest = new Map([
      ["a", event({ _tag: "Active", info, checkedAt: 0, expiresAt: 3_600_000 })],
    ]);
    expect(statusLine(mode, latest, 0, 60_000, 0, false)).toBe(
      "● 0123abcd  Active  expires in 1h 0m  next probe in 1m 0s",
    );
    expect(statusLine(mode, latest, 0, undefined, 0, true)).toMatch(/^⠋ 0123abcd {2}Active/);
  });

  it("summarises a store by state", () => {
    const latest = new Map([
      ["a", event({ _tag: "Refreshing" }, "a")],
      ["b", event({ _tag: "Refreshing" }, "b")],
      ["c", event({ _tag: "Invalid", status: 400 }, "c")],
    ]);
    expect(statusLine(mode, latest, 0, undefined, 0, false)).toBe(
      "● 3 tokens: 2 Refreshing, 1 Invalid",
    );
  });

  it("fails below the TTL threshold, and on Expired only with a threshold", () => {
    const none = { once: false, until: undefined, failIfTtlBelow: undefined };
    const threshold = { ...none, failIfTtlBelow: Duration.minutes(10) };
    const soon = event({ _tag: "Active", info, checkedAt: 0, expiresAt: 300_000 });
    expect(failureOf(soon, none, 0)).toBeUndefined();
    expect(failureOf(soon, threshold, 0)?.exitCode).toBe(3);
    expect(failureOf(event({ _tag: "Expired" }), none, 0)).toBeUndefined();
    expect(failureOf(event({ _tag: "Expired" }), threshold, 0)?.exitCode).toBe(3);
  });

  it("fails when a stored token's refresh token has less than the threshold left", () => {
    const threshold = { once: false, until: undefined, failIfTtlBelow: Duration.days(7) };
    // (No access expiry here, so only the refresh token's end decides.)
    const fine = event({ _tag: "Active", info, checkedAt: 0 });
    const day = 86_400_000;
    expect(failureOf({ ...fine, refreshTokenExpiresAt: 8 * day }, threshold, 0)).toBeUndefined();
    const failure = failureOf({ ...fine, refreshTokenExpiresAt: 6 * day }, threshold, 0);
    expect(failure).toMatchObject({ state: "RefreshTokenExpiring" });
    expect(failure?.reason).toContain("refresh token expires in");
    expect(failure?.exitCode).toBe(3);
  });

  it("maps the final state to an exit code", () => {
    const once = { once: true, until: undefined, failIfTtlBelow: undefined };
    expect(endFailureOf(event({ _tag: "Refreshed", generation: 2 }), once)).toBeUndefined();
    expect(endFailureOf(event({ _tag: "Revoked" }), once)?.exitCode).toBe(3);
    expect(endFailureOf(event({ _tag: "ReauthorizeRequired", reason: "x" }), once)?.exitCode).toBe(
      4,
    );
    expect(
      endFailureOf(
        event({
          _tag: "Unreachable",
          error: { tag: "TransportError" },
          attempt: 1,
          nextCheckAt: 0,
        }),
        once,
      )?.exitCode,
    ).toBe(5);
    expect(
      endFailureOf(event({ _tag: "Invalid", status: 400 }), { ...once, until: "Invalid" }),
    ).toBeUndefined();
  });
});
