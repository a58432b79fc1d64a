// Domain schemas: lossless team ids, tolerant token info, token sets, Miro error bodies.
import { describe, expect, it } from "@effect/vitest";
import { Redacted, Result, Schema } from "effect";
import fc from "fast-check";
import { parseJson, TokenInfo, TokenResponse, tokenSetFromResponse } from "../src/index.ts";
import {
  parseJsonWithoutSourceAccess,
  parseMiroErrorBody,
  safeErrorCode,
} from "../src/internal.ts";

const DOCS_EXAMPLE =
  '{"token_type":"bearer","team_id":3074457358607431473,"access_token":"eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_o-P9abc","refresh_token":"eyJtaXJvLr","scope":"boards:write boards:read identity:read","expires_in":3599}';

const decodeTokenResponse = Schema.decodeUnknownSync(TokenResponse);
const decodeTokenInfo = Schema.decodeUnknownSync(TokenInfo);

const json = (text: string): unknown => {
  const parsed = parseJson(text);
  if (Result.isFailure(parsed)) throw new Error(parsed.failure);
  return parsed.success;
};

describe("JsonText", () => {
  it("keeps every digit of a team_id above 2^53 (docs example)", () => {
    const response = decodeTokenResponse(json(DOCS_EXAMPLE));
    expect(response.team_id).toBe("3074457358607431473");
  });

  it("keeps every digit of any big integer, with and without source access (fast-check)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 2n ** 53n, max: 10n ** 30n }), fc.boolean(), (id, neg) => {
        const digits = `${neg ? "-" : ""}${id}`;
        const text = `{"team_id": ${digits}, "user_id":${digits}}`;
        for (const parse of [parseJson, parseJsonWithoutSourceAccess]) {
          const result = parse(text);
          if (Result.isFailure(result)) return false;
          const value = result.success as { team_id: unknown; user_id: unknown };
          if (value.team_id !== digits || value.user_id !== digits) return false;
        }
        return true;
      }),
      { numRuns: 1_000, seed: 7 },
    );
  });

  it("reads big integers anywhere in any JSON, whichever path it takes (fast-check)", () => {
    type Json = bigint | string | boolean | null | number | Json[] | { [key: string]: Json };
    const { value } = fc.letrec<{ value: Json }>((tie) => ({
      value: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }),
        fc.integer(),
        fc.string(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie("value"), { maxKeys: 4 }),
      ),
    }));
    const render = (v: Json, ws: string): string => {
      if (typeof v === "bigint") return String(v);
      if (Array.isArray(v)) return `[${ws}${v.map((x) => render(x, ws)).join(`,${ws}`)}]`;
      if (v !== null && typeof v === "object") {
        const fields = Object.entries(v).map(
          ([k, x]) => `${JSON.stringify(k)}:${ws}${render(x, ws)}`,
        );
        return `{${fields.join(",")}}`;
      }
      return JSON.stringify(v);
    };
    const expected = (v: Json): unknown => {
      if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : String(v);
      if (Array.isArray(v)) return v.map(expected);
      if (v !== null && typeof v === "object") {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expected(x)]));
      }
      return v;
    };
    fc.assert(
      fc.property(value, fc.constantFrom("", " ", "\n  "), (v, ws) => {
        expect(json(`${ws}${render(v, ws)}`)).toEqual(expected(v));
      }),
      { numRuns: 1_000, seed: 11 },
    );
  });

  it("leaves safe integers and fractions as numbers", () => {
    expect(json('{"a": 42, "b": 1.5, "c": 1e400}')).toEqual({ a: 42, b: 1.5, c: Infinity });
  });

  it("fails with a fixed phrase, never V8's snippet of the input", () => {
    const secret = "eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_SECRETSECRET";
    expect(parseJson(secret)).toEqual(Result.fail("not JSON"));
    expect(parseJson("  ")).toEqual(Result.fail("empty body"));
    expect(parseJson("<html>")).toEqual(Result.fail("not JSON"));
  });
});

describe("TokenInfo", () => {
  const entity = (type: string) => ({ type, name: `${type} name`, id: "3458764517517852417" });
  const full = {
    type: "oAuthToken",
    organization: entity("organization"),
    team: entity("team"),
    createdBy: entity("user"),
    user: entity("user"),
    scopes: ["boards:read"],
  };

  it("decodes the spec shape", () => {
    expect(decodeTokenInfo(full)).toEqual(full);
  });

  it("tolerates a missing organization and scopes, and unknown fields", () => {
    const { organization: _o, scopes: _s, ...rest } = full;
    const decoded = decodeTokenInfo({ ...rest, createdAt: "2024-01-01", id: 5 });
    expect(decoded.organization).toBeUndefined();
    expect(decoded.team.id).toBe("3458764517517852417");
  });

  it("turns numeric ids into strings without losing digits", () => {
    const text = JSON.stringify({ ...full, team: { type: "team", name: "t", id: 12 } }).replace(
      '"3458764517517852417"',
      "3458764517517852417",
    );
    const decoded = decodeTokenInfo(json(text));
    expect(decoded.team.id).toBe("12");
    expect(decoded.organization?.id).toBe("3458764517517852417");
  });

  it("rejects a body without the required entities", () => {
    expect(() => decodeTokenInfo({ type: "oAuthToken" })).toThrow();
  });
});

describe("TokenSet", () => {
  it("redacts tokens, computes expiresAt from the receipt time, splits scopes", () => {
    const receivedAt = 1_700_000_000_000;
    const set = tokenSetFromResponse(decodeTokenResponse(json(DOCS_EXAMPLE)), receivedAt);
    expect(Redacted.isRedacted(set.accessToken)).toBe(true);
    expect(Redacted.value(set.accessToken)).toBe("eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_o-P9abc");
    expect(set.refreshToken && Redacted.value(set.refreshToken)).toBe("eyJtaXJvLr");
    expect(set.expiresAt).toBe(receivedAt + 3_599_000);
    expect(set.refreshTokenIssuedAt).toBe(receivedAt); // the 60-day clock starts now
    expect(set.scopes).toEqual(["boards:write", "boards:read", "identity:read"]);
    expect(set.teamId).toBe("3074457358607431473");
    expect(String(set.accessToken)).not.toContain("eyJ");
    expect(JSON.stringify(set)).not.toContain("o-P9abc");
  });

  it("leaves expiresAt and refreshToken out for a non-expiring token", () => {
    const set = tokenSetFromResponse({ access_token: "a", scope: "", token_type: "bearer" }, 0);
    expect(set.expiresAt).toBeUndefined();
    expect(set.refreshToken).toBeUndefined();
    expect(set.refreshTokenIssuedAt).toBeUndefined();
    expect(set.scopes).toEqual([]);
  });
});

describe("MiroErrorBody", () => {
  it("reads Miro's error body and keeps only known codes", () => {
    const body = '{"status":400,"code":"tokenExpired","message":"m","type":"error"}';
    expect(parseMiroErrorBody(body)).toEqual({
      status: 400,
      code: "tokenExpired",
      message: "m",
      type: "error",
    });
    expect(safeErrorCode(body)).toBe("tokenExpired");
    expect(safeErrorCode('{"code":"eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_SECRET"}')).toBe("unrecognized");
    expect(safeErrorCode("<html>")).toBeUndefined();
    expect(safeErrorCode('{"code": 5}')).toBeUndefined();
  });
});
