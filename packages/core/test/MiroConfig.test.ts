// Configuration from code and from the environment (ConfigProvider).
import { describe, expect, it } from "@effect/vitest";
import { ConfigProvider, Duration, Effect, Layer, Redacted } from "effect";
import packageJson from "../package.json" with { type: "json" };
import { MiroConfig, makeMiroConfig, miroConfigDefaults } from "../src/index.ts";

describe("MiroConfig", () => {
  it("has the documented defaults", () => {
    const config = makeMiroConfig();
    expect(config.baseUrl).toBe("https://api.miro.com");
    expect(Duration.toMillis(config.attemptTimeout)).toBe(10_000);
    expect(Duration.toMillis(config.deadline)).toBe(30_000);
    expect(Duration.toMillis(config.retry.maxRetryAfter)).toBe(60_000);
    expect(config.retry.limit).toBe(3);
    expect(config.retry.jitter).toBe(true);
    expect(config.userAgent).toBe(`miro-token/${packageJson.version}`);
    expect(config.maxBodyBytes).toBe(1024 * 1024);
    expect(config.clientId).toBeUndefined();
    expect(miroConfigDefaults.clientSecret).toBeUndefined();
  });

  it("redacts a plain client secret and strips a trailing slash", () => {
    const config = makeMiroConfig({
      baseUrl: "http://127.0.0.1:9/",
      clientId: "c",
      clientSecret: "s3cr3t-value",
    });
    expect(config.baseUrl).toBe("http://127.0.0.1:9");
    expect(config.clientSecret && Redacted.isRedacted(config.clientSecret)).toBe(true);
    expect(JSON.stringify(config)).not.toContain("s3cr3t-value");
  });

  it.effect(
    "reads MIRO_API_BASE_URL, MIRO_CLIENT_ID and MIRO_CLIENT_SECRET from the environment",
    () =>
      Effect.gen(function* () {
        const config = yield* MiroConfig;
        expect(config.baseUrl).toBe("http://localhost:4010");
        expect(config.clientId).toBe("client-1");
        expect(config.clientSecret && Redacted.value(config.clientSecret)).toBe("secret-1");
        expect(Duration.toMillis(config.deadline)).toBe(5_000);
      }).pipe(
        Effect.provide(
          MiroConfig.layerConfig({ deadline: "5 seconds" }).pipe(
            Layer.provide(
              ConfigProvider.layer(
                ConfigProvider.fromEnv({
                  env: {
                    MIRO_API_BASE_URL: "http://localhost:4010/",
                    MIRO_CLIENT_ID: "client-1",
                    MIRO_CLIENT_SECRET: "secret-1",
                  },
                }),
              ),
            ),
          ),
        ),
      ),
  );

  it.effect("falls back to defaults when the environment is empty", () =>
    Effect.gen(function* () {
      const config = yield* MiroConfig;
      expect(config.baseUrl).toBe("https://api.miro.com");
      expect(config.clientSecret).toBeUndefined();
    }).pipe(
      Effect.provide(
        MiroConfig.layerConfig().pipe(
          Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: {} }))),
        ),
      ),
    ),
  );
});
