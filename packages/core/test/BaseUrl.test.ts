// The base URL rule (issue 10, points 1 and 2): https everywhere, plain http only to loopback
// unless allowed, never credentials or a query; and core refuses before its transport is asked
// to send anything, so no DNS lookup or connection can happen.
import { describe, expect, it } from "@effect/vitest";
import { Effect, Exit, Redacted, Result } from "effect";
import {
  checkBaseUrl,
  ExitCode,
  exitCodeOf,
  InsecureBaseUrlError,
  isLoopbackHost,
  type MiroConfigOptions,
  TokenClient,
} from "../src/index.ts";
import { failure, INFO, layerWith, settle, TOKEN } from "./ClientFixtures.ts";
import { fakeTransport } from "./FakeTransport.ts";

const PASSWORD = "hunter2-canary-password";

describe("checkBaseUrl", () => {
  it.each([
    ["https://api.miro.com", "https://api.miro.com", false],
    ["https://api.miro.com/", "https://api.miro.com", false],
    ["http://127.0.0.1:8710/", "http://127.0.0.1:8710", false],
    ["http://127.9.8.7", "http://127.9.8.7", false],
    ["http://127.1:80", "http://127.0.0.1", false],
    ["http://localhost:4010", "http://localhost:4010", false],
    ["http://LOCALHOST.:4010", "http://localhost.:4010", false],
    ["http://[::1]:4010", "http://[::1]:4010", false],
    ["https://10.0.0.1/base", "https://10.0.0.1/base", false],
  ])("accepts %s", (text, url, insecure) => {
    expect(checkBaseUrl(text)).toEqual(Result.succeed({ url, insecure }));
  });

  it.each([
    ["http://example.com", "insecure-http"],
    ["http://192.0.2.2:8710", "insecure-http"],
    ["http://128.0.0.1", "insecure-http"],
    ["http://localhost.example.com", "insecure-http"],
    ["http://[::2]", "insecure-http"],
    ["http://[::ffff:10.0.0.1]", "insecure-http"],
    [`https://user:${PASSWORD}@api.miro.com`, "credentials"],
    [`http://user:${PASSWORD}@127.0.0.1:8710`, "credentials"],
    ["https://user@api.miro.com", "credentials"],
    ["https://api.miro.com/?access_token=x", "query"],
    ["https://api.miro.com/?", "query"],
    ["https://api.miro.com/#x", "query"],
    ["ftp://api.miro.com", "scheme"],
    [`not a url ${PASSWORD}`, "unreadable"],
  ])("refuses %s (%s) without quoting it", (text, kind) => {
    const result = checkBaseUrl(text);
    expect(Result.isFailure(result)).toBe(true);
    if (Result.isFailure(result)) {
      expect(result.failure.kind).toBe(kind);
      expect(result.failure.reason).not.toContain(PASSWORD);
      expect(result.failure.reason).not.toContain("example.com");
    }
  });

  it("allows http to any host only when asked, and says it is insecure", () => {
    expect(checkBaseUrl("http://example.com/", { allowInsecureHttp: true })).toEqual(
      Result.succeed({ url: "http://example.com", insecure: true }),
    );
    // The opt-in never admits credentials.
    expect(
      Result.isFailure(
        checkBaseUrl(`http://u:${PASSWORD}@example.com`, { allowInsecureHttp: true }),
      ),
    ).toBe(true);
  });

  it("knows loopback hosts", () => {
    expect(isLoopbackHost("127.0.0.1")).toBe(true);
    expect(isLoopbackHost("[::1]")).toBe(true);
    expect(isLoopbackHost("localhost")).toBe(true);
    expect(isLoopbackHost("127.0.0.1.nip.io")).toBe(false);
    expect(isLoopbackHost("1127.0.0.1")).toBe(false);
  });
});

describe("core refuses a bad base URL before sending anything", () => {
  const refused = (config: MiroConfigOptions) =>
    Effect.gen(function* () {
      const transport = fakeTransport({ status: 200, body: JSON.stringify(INFO) });
      const exit = yield* settle(TokenClient.info(TOKEN), layerWith(transport, config));
      return { exit, sent: transport.requests.length };
    });

  it.effect("plain http to a non-loopback host: a usage error, 0 requests", () =>
    Effect.gen(function* () {
      const { exit, sent } = yield* refused({ baseUrl: "http://miro.example" });
      expect(sent).toBe(0);
      const error = failure(exit);
      expect(error).toBeInstanceOf(InsecureBaseUrlError);
      expect(error.retryable).toBe(false);
      expect(exitCodeOf(error)).toBe(ExitCode.Usage);
      expect(error.message).toContain("loopback");
    }),
  );

  it.effect("credentials in the URL: refused, 0 requests, the password never shown", () =>
    Effect.gen(function* () {
      const { exit, sent } = yield* refused({
        baseUrl: `https://user:${PASSWORD}@miro.example`,
        clientSecret: Redacted.make("s"),
      });
      expect(sent).toBe(0);
      const error = failure(exit);
      expect(error._tag).toBe("InsecureBaseUrlError");
      expect(`${error.message} ${JSON.stringify(error)} ${String(exit)}`).not.toContain(PASSWORD);
    }),
  );

  it.effect("allowInsecureHttp lets plain http through", () =>
    Effect.gen(function* () {
      const { exit, sent } = yield* refused({
        baseUrl: "http://miro.example",
        allowInsecureHttp: true,
      });
      expect(sent).toBe(1);
      expect(Exit.isSuccess(exit)).toBe(true);
    }),
  );
});
