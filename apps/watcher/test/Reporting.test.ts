/**
 * What the watcher reports, checked against what happened: SSE clients get the snapshot and
 * then every change in order, `/metrics` parses as strict Prometheus text and its counters
 * agree with the NDJSON lines and with the requests the emulator saw, and no surface (stdout,
 * /tokens, /events, /metrics, /healthz, the page) carries a token or the client secret.
 */
import { findLeaks } from "@miro-token/testkit";
import { Redacted } from "effect";
import { describe, expect, it } from "vitest";
import {
  cleanupsAfterEach,
  getJson,
  issueAndStore,
  readStore,
  startSyncedEmulator,
  startTestWatcher,
  statesOf,
  type TokensDocument,
  tempDir,
  waitFor,
} from "./Fixtures.ts";
import { parsePrometheusText, seriesValue } from "./PrometheusText.ts";
import { connectSse } from "./Sse.ts";

const cleanups = cleanupsAfterEach();

describe("reporting", () => {
  it("streams the snapshot then the changes, and /metrics matches the events; nothing leaks", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const { emulator, stop } = await startSyncedEmulator({ accessTokenTtlSeconds: 3 });
    cleanups.push(stop);
    const issued = await issueAndStore(emulator, dir.path, 3);
    const watcher = await startTestWatcher(emulator, dir.path, {
      watch: { interval: 150, jitter: 0, refreshWindow: 1_000, refreshJitter: 0 },
      miro: { retry: { limit: 1 } },
    });
    cleanups.push(() => watcher.close().then(() => undefined));

    // A client that connects at once sees the Pending snapshot, then every change.
    const early = await connectSse(`${watcher.url}/events`);
    cleanups.push(early.close);
    await waitFor("early snapshot", () => early.messages.length > 0);
    const firstSnapshot = JSON.parse(early.messages[0]!.data) as TokensDocument;
    expect(early.messages[0]!.event).toBe("snapshot");
    expect(firstSnapshot.tokens.map((t) => [t.id, t.state])).toEqual([
      ["token-0", "Pending"],
      ["token-1", "Pending"],
      ["token-2", "Pending"],
    ]);

    // Refreshed ahead of expiry (generation 2), then token-2 revoked, then token-info 503s.
    await waitFor(
      "all refreshed",
      async () => {
        const doc = await getJson<TokensDocument>(`${watcher.url}/tokens`);
        return doc.tokens.every((t) => t.generation === 2 && t.state === "Active");
      },
      8_000,
    );
    const refreshed = await readStore(dir.path);
    const token2 = refreshed.find((entry) => entry.id === "token-2")!;
    emulator.revokeAccess(Redacted.value(token2.tokenSet.accessToken));
    // Rejected, one refresh refused (revoking killed the refresh token): ReauthorizeRequired.
    await waitFor(
      "token-2 dead",
      async () => (await statesOf(watcher.url))["token-2"] === "ReauthorizeRequired",
    );
    emulator.queueFault("token-info", { kind: "status", status: 503 }, 2);
    await waitFor("an Unreachable", () => watcher.events().some((e) => e.state === "Unreachable"));
    await waitFor("back to Active", async () => {
      const states = await statesOf(watcher.url);
      return states["token-0"] === "Active" && states["token-1"] === "Active";
    });

    // A late client gets the current snapshot first.
    const late = await connectSse(`${watcher.url}/events`);
    cleanups.push(late.close);
    await waitFor("late snapshot", () => late.messages.length > 0);
    const lateSnapshot = JSON.parse(late.messages[0]!.data) as TokensDocument;
    expect(Object.fromEntries(lateSnapshot.tokens.map((t) => [t.id, t.state]))).toEqual(
      await statesOf(watcher.url),
    );

    // The early client's changes are exactly the NDJSON status lines, in order.
    const statusLines = watcher.events().filter((e) => e.event === "status");
    await waitFor("SSE caught up", () => early.messages.length - 1 >= statusLines.length);
    const streamed = early.messages.slice(1).map((m) => {
      const view = JSON.parse(m.data) as Record<string, unknown>;
      expect(m.event).toBe("status");
      return [view.id, view.state, view.generation];
    });
    expect(streamed).toEqual(statusLines.map((e) => [e.id, e.state, e.generation]));

    // /metrics: valid text, counters equal to the events and to the emulator's request log.
    const response = await fetch(`${watcher.url}/metrics`);
    expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const metricsText = await response.text();
    const samples = parsePrometheusText(metricsText);
    const finalLines = watcher.events().filter((e) => e.event === "status");
    const byState = new Map<string, number>();
    for (const e of finalLines)
      byState.set(e.state as string, (byState.get(e.state as string) ?? 0) + 1);
    for (const [state, count] of byState) {
      expect(seriesValue(samples, "miro_token_watcher_status_events_total", { state })).toBe(count);
    }
    expect(seriesValue(samples, "miro_token_watcher_status_events_total")).toBe(finalLines.length);
    expect(
      seriesValue(samples, "miro_token_watcher_refreshes_total", { outcome: "succeeded" }),
    ).toBe(byState.get("Refreshed"));
    expect(seriesValue(samples, "miro_token_watcher_refreshes_total", { outcome: "failed" })).toBe(
      1,
    );
    expect(seriesValue(samples, "miro_token_watcher_tokens", { state: "Active" })).toBe(2);
    expect(
      seriesValue(samples, "miro_token_watcher_tokens", { state: "ReauthorizeRequired" }),
    ).toBe(1);
    expect(seriesValue(samples, "miro_token_watcher_tokens")).toBe(3);
    expect(
      seriesValue(samples, "miro_token_watcher_failures_total", { kind: "ReauthorizeRequired" }),
    ).toBe(1);
    expect(
      seriesValue(samples, "miro_token_watcher_failures_total", { kind: "ServerError:503" }),
    ).toBe(byState.get("Unreachable"));
    const infoRequests = emulator.requests.filter((r) => r.route === "token-info");
    const tokenRequests = emulator.requests.filter((r) => r.route === "token");
    const infoCounted = seriesValue(samples, "miro_token_watcher_requests_total", {
      route: "token_info",
    });
    // The scrape itself raced no request: compare with the log taken after it.
    expect(infoCounted).toBeGreaterThan(0);
    expect(Math.abs(infoCounted - infoRequests.length)).toBeLessThanOrEqual(3);
    expect(
      seriesValue(samples, "miro_token_watcher_requests_total", {
        route: "token_info",
        status: "503",
      }),
    ).toBe(2);
    expect(seriesValue(samples, "miro_token_watcher_requests_total", { route: "token" })).toBe(
      tokenRequests.length,
    );
    expect(
      seriesValue(samples, "miro_token_watcher_request_duration_seconds_count", {
        route: "token_info",
      }),
    ).toBe(infoCounted);
    expect(seriesValue(samples, "miro_token_watcher_probe_credits_total")).toBe(infoCounted * 50);
    expect(seriesValue(samples, "miro_token_watcher_rate_limit_limit")).toBe(100_000);
    const remaining = seriesValue(samples, "miro_token_watcher_rate_limit_remaining");
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThan(100_000);
    expect(seriesValue(samples, "miro_token_watcher_sse_clients")).toBe(2);

    // No surface carries a secret: the tokens issued, the refreshed ones, the client secret.
    const secrets = [
      ...issued.flatMap((t) => [t.accessToken, t.refreshToken!]),
      ...refreshed.flatMap((e) => [
        Redacted.value(e.tokenSet.accessToken),
        Redacted.value(e.tokenSet.refreshToken!),
      ]),
      emulator.seed!.client.clientSecret,
    ];
    const page = await (await fetch(`${watcher.url}/`)).text();
    const surfaces = [
      watcher.lines.join("\n"),
      JSON.stringify(await getJson(`${watcher.url}/tokens`)),
      JSON.stringify(await getJson(`${watcher.url}/healthz`)),
      metricsText,
      early.raw(),
      late.raw(),
      page,
    ].join("\n");
    expect(findLeaks(surfaces, secrets)).toEqual([]);
    // The check itself can fail: a surface holding one of the secrets is caught.
    expect(findLeaks(`${surfaces}${secrets.at(-2)}`, secrets)).not.toEqual([]);
  });
});
