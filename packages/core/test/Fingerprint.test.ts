// Token fingerprints: stable, short, hex, and not the token.
import { describe, expect, it } from "@effect/vitest";
import { Effect, Redacted } from "effect";
import { fingerprint } from "../src/index.ts";

describe("fingerprint", () => {
  it.effect("is the first 8 hex digits of SHA-256, stable across calls and wrappers", () =>
    Effect.gen(function* () {
      // sha256("abc") = ba7816bf...
      expect(yield* fingerprint("abc")).toBe("ba7816bf");
      expect(yield* fingerprint(Redacted.make("abc"))).toBe("ba7816bf");
      const a = yield* fingerprint("eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_token-1");
      const b = yield* fingerprint("eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_token-2");
      expect(a).toMatch(/^[0-9a-f]{8}$/);
      expect(a).not.toBe(b);
      expect(yield* fingerprint("eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_token-1")).toBe(a);
    }),
  );
});
