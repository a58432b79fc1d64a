// Rate-limit header parsing: strict, total, never throws.
import { describe, expect, it } from "@effect/vitest";
import fc from "fast-check";
import { parseRateLimit } from "../src/index.ts";

describe("parseRateLimit", () => {
  it("reads the three headers, reset as epoch milliseconds", () => {
    expect(
      parseRateLimit({
        "x-ratelimit-limit": "100000",
        "x-ratelimit-remaining": "99",
        "x-ratelimit-reset": "1764273600",
      }),
    ).toEqual({ limit: 100_000, remaining: 99, resetAt: 1_764_273_600_000 });
  });

  it("ignores NaN, negative, padded and fractional values", () => {
    expect(
      parseRateLimit({
        "x-ratelimit-limit": "NaN",
        "x-ratelimit-remaining": "-1",
        "x-ratelimit-reset": " 5",
      }),
    ).toBe(undefined);
    expect(parseRateLimit({ "x-ratelimit-limit": "1.5", "x-ratelimit-remaining": "7" })).toEqual({
      remaining: 7,
    });
    expect(parseRateLimit({})).toBeUndefined();
  });

  it("never throws and returns only finite non-negative numbers (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "other",
          ),
          fc.string(),
        ),
        (headers) => {
          const parsed = parseRateLimit(headers);
          return (
            parsed === undefined || Object.values(parsed).every((n) => Number.isFinite(n) && n >= 0)
          );
        },
      ),
      { numRuns: 5_000, seed: 3 },
    );
  });
});
