// decodeTokenInfo reads Miro's shape directly and falls back to the schema for anything else:
// for every input, near the shape or not, it must give exactly what the schema gives.
import { describe, expect, it } from "@effect/vitest";
import { Result, Schema } from "effect";
import fc from "fast-check";
import { TokenInfo } from "../src/index.ts";
import { decodeTokenInfo } from "../src/internal.ts";
import { INFO } from "./ClientFixtures.ts";

const bySchema = Schema.decodeUnknownResult(TokenInfo);

/** A field value: usually right, sometimes of another type, or missing. */
const text = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(null, true, [], {}) },
);
const entity = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      { type: text, name: text, id: text, extra: fc.string() },
      { requiredKeys: ["type", "name", "id"] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, "team", [], 7) },
);
const body = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record(
      {
        type: text,
        organization: entity,
        team: entity,
        createdBy: entity,
        user: entity,
        scopes: fc.oneof(fc.array(text, { maxLength: 3 }), text),
        unknown: fc.jsonValue(),
      },
      { requiredKeys: ["type", "team", "createdBy", "user"] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue() },
);

describe("decodeTokenInfo", () => {
  it("decodes Miro's own answer", () => {
    const decoded = decodeTokenInfo(JSON.parse(JSON.stringify(INFO)));
    expect(Result.isSuccess(decoded) && decoded.success).toEqual(INFO);
  });

  it("gives exactly what the schema gives, for any input (fast-check)", () => {
    fc.assert(
      fc.property(body, (input) => {
        const fast = decodeTokenInfo(input);
        const slow = bySchema(input);
        expect(Result.isSuccess(fast)).toBe(Result.isSuccess(slow));
        if (Result.isSuccess(fast) && Result.isSuccess(slow)) {
          expect(fast.success).toStrictEqual(slow.success);
        }
      }),
      { numRuns: 2_000, seed: 42 },
    );
  });
});
