/**
 * The one exit-code rule of both binaries: a returned code is the exit code, an interruption
 * exits with the caller's code, anything else is an unexpected failure (1).
 */
import { Cause, Exit } from "effect";
import { describe, expect, it } from "vitest";
import { processExitCode } from "../src/internal.ts";

describe("processExitCode", () => {
  it("returns the program's code, the caller's code on interruption, 1 otherwise", () => {
    expect(processExitCode(Exit.succeed(3), () => 130)).toBe(3);
    expect(processExitCode(Exit.failCause(Cause.interrupt()), () => 130)).toBe(130);
    expect(processExitCode(Exit.fail("boom"), () => 130)).toBe(1);
    expect(processExitCode(Exit.die(new Error("bug")), () => 0)).toBe(1);
  });
});
