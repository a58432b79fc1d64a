// The shared settings rules: one duration grammar, one id rule, one argv guard, one rule for
// secret text (cap, one newline, sendable) and for environment values.
import { describe, expect, it } from "@effect/vitest";
import { ConfigProvider, Duration, Effect, Exit, Layer, Redacted, Result } from "effect";
import fc from "fast-check";
import {
  findSecretOnArgv,
  MAX_SECRET_INPUT_BYTES,
  MAX_TOKEN_ID_BYTES,
  MiroConfig,
  parseDuration,
  parseDurationMillis,
  secretFromText,
  stripOneNewline,
  tokenIdProblem,
} from "../src/index.ts";

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["10s", 10_000],
    ["1m30s", 90_000],
    ["1m 30s", 90_000],
    ["10 s", 10_000],
    ["2h", 7_200_000],
    ["1d", 86_400_000],
    ["1.5s", 1_500],
    ["30", 30_000],
    [" 2m ", 120_000],
  ])("%j is %d ms", (text, expected) => {
    expect(parseDurationMillis(text)).toBe(expected);
  });

  it.each(["", "soon", "s", "-1s", "10x", "NaN", "1e3", "Infinity", "1".repeat(400)])(
    "refuses %j",
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );

  it("never throws, and what it accepts is finite and not negative", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const duration = parseDuration(text);
        if (duration !== undefined) {
          expect(Duration.toMillis(duration)).toBeGreaterThanOrEqual(0);
          expect(Number.isFinite(Duration.toMillis(duration))).toBe(true);
        }
      }),
      { seed: 42, numRuns: 2_000 },
    );
  });
});

describe("tokenIdProblem", () => {
  it.each(["a", "alice", "user/with spaces:ü", "x".repeat(MAX_TOKEN_ID_BYTES)])(
    "accepts %j",
    (id) => {
      expect(tokenIdProblem(id)).toBeUndefined();
    },
  );

  it.each([
    ["", "is empty"],
    ["x".repeat(MAX_TOKEN_ID_BYTES + 1), "is longer than 128 bytes"],
    ["ü".repeat(65), "is longer than 128 bytes"],
    ["a\nb", "contains control characters"],
    ["a\u009bb", "contains control characters"],
    ["\ud800", "is not well-formed Unicode"],
  ])("refuses %j (%s)", (id, problem) => {
    expect(tokenIdProblem(id)).toBe(problem);
  });
});

describe("findSecretOnArgv", () => {
  it.each([
    [["--token=x"], "--token"],
    [["--TOKEN", "x"], "--token"],
    [["--access-token", "x"], "--access-token"],
    [["--refresh-token=x"], "--refresh-token"],
    [["--client-secret", "x"], "--client-secret"],
    [["--secret=x"], "--secret"],
    [["--bearer=x"], "--bearer"],
  ])("refuses %j as the flag %s", (argv, flag) => {
    const found = findSecretOnArgv(argv);
    expect(found?._tag === "SecretFlag" && found.flag).toBe(flag);
  });

  it("refuses a Miro-shaped token anywhere, also after --", () => {
    expect(findSecretOnArgv(["--", "eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_abc"])?._tag).toBe(
      "TokenShaped",
    );
  });

  it.each([[["--client-secret-file", "f"]], [["--token-file", "-"]], [["--store", "x"]]])(
    "lets %j through",
    (argv) => {
      expect(findSecretOnArgv(argv)).toBeUndefined();
    },
  );
});

describe("secretFromText", () => {
  it("strips exactly one trailing line break and nothing else", () => {
    expect(stripOneNewline("abc\n")).toBe("abc");
    expect(stripOneNewline("abc\r\n")).toBe("abc");
    expect(stripOneNewline("abc\n\n")).toBe("abc\n");
    expect(Result.getOrThrow(secretFromText("abc\n"))).toBe("abc");
    expect(secretFromText("abc\n\n")).toEqual(
      Result.fail("contains whitespace or control characters"),
    );
    expect(secretFromText(" abc")).toEqual(
      Result.fail("contains whitespace or control characters"),
    );
    expect(secretFromText("\n")).toEqual(Result.fail("is empty"));
  });

  it("refuses more than the cap", () => {
    expect(Result.isSuccess(secretFromText("a".repeat(MAX_SECRET_INPUT_BYTES)))).toBe(true);
    expect(secretFromText("a".repeat(MAX_SECRET_INPUT_BYTES + 1))).toEqual(
      Result.fail(`is larger than ${MAX_SECRET_INPUT_BYTES} bytes`),
    );
  });
});

describe("MiroConfig.layerConfig reads the environment by the shared rules", () => {
  const configFrom = (env: Record<string, string>) =>
    Effect.exit(
      Effect.provide(
        Effect.gen(function* () {
          return yield* MiroConfig;
        }),
        MiroConfig.layerConfig().pipe(
          Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env }))),
        ),
      ),
    );

  it.effect("strips one newline from the secret and treats empty values as unset", () =>
    Effect.gen(function* () {
      const exit = yield* configFrom({
        MIRO_CLIENT_SECRET: "secret-1\n",
        MIRO_CLIENT_ID: "",
      });
      expect(Exit.isSuccess(exit)).toBe(true);
      if (!Exit.isSuccess(exit)) return;
      expect(Redacted.value(exit.value.clientSecret!)).toBe("secret-1");
      expect(exit.value.clientId).toBeUndefined();
    }),
  );

  it.effect("refuses a malformed or oversized secret, naming the variable, never the value", () =>
    Effect.gen(function* () {
      for (const value of ["two words", "s".repeat(MAX_SECRET_INPUT_BYTES + 1)]) {
        const exit = yield* configFrom({ MIRO_CLIENT_SECRET: value });
        expect(Exit.isFailure(exit)).toBe(true);
        const text = String(exit);
        expect(text).toContain("MIRO_CLIENT_SECRET");
        expect(text).not.toContain("two words");
        expect(text).not.toContain("sssss");
      }
    }),
  );
});
