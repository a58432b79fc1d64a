/**
 * The pure parts: configuration parsing (flags, env fallback, validation, secrets never
 * echoed — fast-check over generated argv), the status board's rows, and the metrics'
 * exposition, which must stay valid Prometheus text whatever was observed.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WatchedStatus } from "@miro-token/core";
import { Redacted } from "effect";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { makeMetrics } from "../src/Metrics.ts";
import { makeStatusBoard } from "../src/StatusBoard.ts";
import { parseConfig } from "../src/WatcherCommand.ts";
import { parsePrometheusText, seriesValue } from "./PrometheusText.ts";

const dir = mkdtempSync(join(tmpdir(), "watcher-units-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("parseConfig", () => {
  it("reads flags, falls back to the environment, and a flag wins", async () => {
    const secretFile = join(dir, "secret");
    writeFileSync(secretFile, "the-secret\n", { mode: 0o600 });
    const result = await parseConfig(
      ["--store", dir, "--interval", "500ms", "--client-id", "app"],
      {
        MIRO_WATCHER_PORT: "0",
        MIRO_WATCHER_INTERVAL: "9s",
        MIRO_CLIENT_SECRET_FILE: secretFile,
        MIRO_API_BASE_URL: "http://127.0.0.1:8710/",
      },
    );
    expect(result._tag).toBe("Config");
    if (result._tag !== "Config") return;
    const { config } = result;
    expect(config).toMatchObject({
      store: { _tag: "File", directory: dir },
      port: 0,
      host: "127.0.0.1",
      baseUrl: "http://127.0.0.1:8710",
      interval: 500,
      refreshWindow: 300_000,
      concurrency: 16,
      shutdownTimeout: 4_000,
      clientId: "app",
      warnings: [],
    });
    expect(Redacted.value(config.clientSecret!)).toBe("the-secret");
  });

  it("reads the refresh token lifetime and margin (60d and 7d by default) and refuses a margin not below the lifetime", async () => {
    const DAY = 86_400_000;
    const defaults = await parseConfig(["--store", dir], {});
    expect(defaults._tag === "Config" && defaults.config).toMatchObject({
      refreshTokenLifetime: 60 * DAY,
      refreshTokenMargin: 7 * DAY,
    });
    const set = await parseConfig(["--store", dir, "--refresh-token-margin", "10d 12h"], {
      MIRO_WATCHER_REFRESH_TOKEN_LIFETIME: "30d",
      MIRO_WATCHER_REFRESH_TOKEN_MARGIN: "1d",
    });
    expect(set._tag === "Config" && set.config).toMatchObject({
      refreshTokenLifetime: 30 * DAY,
      refreshTokenMargin: 10.5 * DAY,
    });
    const refused = await parseConfig(["--store", dir, "--refresh-token-lifetime", "7d"], {});
    expect(refused).toEqual({
      _tag: "Invalid",
      problems: [
        "--refresh-token-margin (7d) must be shorter than --refresh-token-lifetime (7d): every refresh token would count as expiring",
      ],
    });
    const bad = await parseConfig(["--store", dir], {
      MIRO_WATCHER_REFRESH_TOKEN_MARGIN: "a week",
    });
    expect(bad._tag === "Invalid" && bad.problems.join()).toContain(
      'MIRO_WATCHER_REFRESH_TOKEN_MARGIN must be a duration of at least 0ms such as 500ms, 60s or 1m30s, got "a week"',
    );
  });

  it("MIRO_TOKEN_STORE still names a directory; MIRO_TOKEN_STORE_URL and --store win over it; its problems name it", async () => {
    const storeOf = async (argv: ReadonlyArray<string>, env: Record<string, string>) => {
      const result = await parseConfig(argv, env);
      return result._tag === "Config" ? result.config.store : result;
    };
    expect(await storeOf([], { MIRO_TOKEN_STORE: dir })).toEqual({ _tag: "File", directory: dir });
    const pg = "postgres://w@127.0.0.1:5432/miro";
    expect(await storeOf([], { MIRO_TOKEN_STORE: dir, MIRO_TOKEN_STORE_URL: pg })).toMatchObject({
      _tag: "Postgres",
      target: pg,
    });
    expect(await storeOf(["--store", pg], { MIRO_TOKEN_STORE: dir })).toMatchObject({
      _tag: "Postgres",
    });
    expect(await storeOf([], { MIRO_TOKEN_STORE: "redis://cache/0" })).toMatchObject({
      _tag: "Invalid",
      problems: [expect.stringMatching(/^MIRO_TOKEN_STORE has the unsupported scheme redis:/)],
    });
    expect(await storeOf([], {})).toMatchObject({
      _tag: "Invalid",
      problems: [expect.stringContaining("--store <dir|postgres://…> is required")],
    });
  });

  it("warns about a group-readable secret file and about missing credentials", async () => {
    const loose = join(dir, "loose");
    writeFileSync(loose, "s", { mode: 0o644 });
    const withLoose = await parseConfig(
      ["--store", dir, "--client-id", "a", "--client-secret-file", loose],
      {},
    );
    expect(withLoose._tag === "Config" && withLoose.config.warnings.join()).toContain("chmod 600");
    const without = await parseConfig(["--store", dir], {});
    expect(without._tag === "Config" && without.config.warnings.join()).toContain(
      "cannot be refreshed",
    );
  });

  it("never throws, and never repeats a secret-looking value, for generated argv", async () => {
    const secret = "eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_SECRETSECRETSECRET";
    const flag = fc.constantFrom(
      "--store",
      "--port",
      "--interval",
      "--client-id",
      "--client-secret",
      "--token",
      "--bogus",
      "-x",
      "--help",
      "--base-url",
      "--concurrency",
      "--refresh-window",
    );
    const value = fc.oneof(fc.string({ maxLength: 12 }), fc.constant(secret), fc.constant(dir));
    const arg = fc.oneof(
      flag,
      value,
      fc.tuple(flag, value).map(([f, v]) => `${f}=${v}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(arg, { maxLength: 8 }), async (argv) => {
        const result = await parseConfig(argv, {});
        expect(["Config", "Help", "Version", "Invalid"]).toContain(result._tag);
        if (result._tag === "Invalid") {
          expect(result.problems.length).toBeGreaterThan(0);
          const text = result.problems.join("\n");
          // A value given with a secret flag, or an unknown one, is never quoted back.
          expect(text).not.toContain("SECRETSECRET");
        }
      }),
      { seed: 20261127, numRuns: 2_000 },
    );
  });
});

const event = (id: string, status: WatchedStatus["status"], generation = 1): WatchedStatus => ({
  id,
  fingerprint: `fp-${id}-${generation}`,
  generation,
  status,
});

const info = {
  type: "oAuthToken",
  team: { type: "team", name: "T", id: "3074457000000000001" },
  createdBy: { type: "user", name: "U", id: "3458764500000000001" },
  user: { type: "user", name: "U", id: "3458764500000000001" },
};

describe("StatusBoard", () => {
  it("keeps the latest row per token, carries the expiry over, and drops Stopped tokens", () => {
    const board = makeStatusBoard();
    const seen: Array<string> = [];
    board.subscribe((change) => seen.push(`${change.previous ?? "-"}>${change.view.state}`));
    board.addPending({ id: "a", fingerprint: "fp-a-1", generation: 1 }, 2_000_000, 0);
    board.apply(
      event("a", { _tag: "Active", info, checkedAt: 1_000, expiresAt: 2_000_000 }),
      1_000,
    );
    board.apply(
      event("a", {
        _tag: "Unreachable",
        error: { tag: "TransportError", kind: "Network" },
        attempt: 1,
        nextCheckAt: 5_000,
      }),
      2_000,
    );
    const [row] = board.snapshot();
    expect(row).toMatchObject({
      id: "a",
      state: "Unreachable",
      expiresAt: new Date(2_000_000).toISOString(),
      reason: "TransportError Network (attempt 1)",
      userId: "3458764500000000001",
      teamId: "3074457000000000001",
      since: new Date(2_000).toISOString(),
    });
    board.apply(event("b", { _tag: "Invalid", status: 400, code: "tokenInvalid" }), 3_000);
    expect(board.countByState().get("Invalid")).toBe(1);
    board.apply(event("a", { _tag: "Stopped", reason: "removed from the token store" }), 4_000);
    expect(board.snapshot().map((r) => r.id)).toEqual(["b"]);
    expect(seen).toEqual([
      "Pending>Active",
      "Active>Unreachable",
      "->Invalid",
      "Unreachable>Stopped",
    ]);
  });
});

describe("Metrics", () => {
  it("renders valid exposition text whatever was observed, with counters that add up", () => {
    const statuses: Array<WatchedStatus["status"]> = [
      { _tag: "Active", info, checkedAt: 1 },
      { _tag: "Refreshing" },
      { _tag: "Refreshed", generation: 2 },
      { _tag: "RateLimited", resetAt: 10 },
      { _tag: "Invalid", status: 401 },
      {
        _tag: "Unreachable",
        error: { tag: 'Server"Error\\\n', status: 503 },
        attempt: 1,
        nextCheckAt: 1,
      },
      { _tag: "ReauthorizeRequired", reason: "InvalidGrantError" },
    ];
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 4 }),
            fc.integer({ min: 0, max: statuses.length - 1 }),
          ),
          {
            maxLength: 60,
          },
        ),
        fc.array(
          fc.tuple(
            fc.constantFrom(
              "http://x/v1/oauth-token",
              "http://x/v1/oauth/token",
              "http://x/v2/oauth/revoke",
              "http://x/y",
            ),
            fc.oneof(fc.integer({ min: 100, max: 599 }), fc.constantFrom("Network", "Timeout")),
            fc.double({ min: 0, max: 20, noNaN: true }),
            fc.option(
              fc.record({
                "x-ratelimit-remaining": fc.nat({ max: 100_000 }).map(String),
                "x-ratelimit-limit": fc.constant("100000"),
              }),
              { nil: undefined },
            ),
          ),
          { maxLength: 40 },
        ),
        (changes, exchanges) => {
          const board = makeStatusBoard();
          const metrics = makeMetrics({ board });
          try {
            board.subscribe(metrics.observeChange);
            for (const [token, s] of changes) board.apply(event(`t${token}`, statuses[s]!), 0);
            for (const [url, outcome, seconds, headers] of exchanges) {
              metrics.observeExchange(url, outcome, seconds, headers, 1_000);
            }
            const samples = parsePrometheusText(metrics.render(1_000));
            expect(seriesValue(samples, "miro_token_watcher_status_events_total")).toBe(
              changes.length,
            );
            expect(seriesValue(samples, "miro_token_watcher_tokens")).toBe(board.size());
            expect(seriesValue(samples, "miro_token_watcher_requests_total")).toBe(
              exchanges.length,
            );
            const probes = exchanges.filter(([url]) => url.endsWith("/v1/oauth-token")).length;
            expect(seriesValue(samples, "miro_token_watcher_probe_credits_total")).toBe(
              probes * 50,
            );
            const remaining = exchanges.flatMap(([, , , h]) =>
              h === undefined ? [] : [Number(h["x-ratelimit-remaining"])],
            );
            expect(seriesValue(samples, "miro_token_watcher_rate_limit_remaining")).toBe(
              remaining.length === 0 ? -1 : Math.min(...remaining),
            );
          } finally {
            metrics.close();
          }
        },
      ),
      { seed: 20261127, numRuns: 300 },
    );
  });
});
