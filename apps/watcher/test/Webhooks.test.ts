/**
 * Signed webhooks end to end, in process over loopback: the watcher watches emulator tokens,
 * a revocation becomes one event that the `standardwebhooks` package verifies, holding ids,
 * fingerprint and states but no secret (canary scan); a re-authorized token sends a recovery
 * event; delivery state shows in `/tokens` and `/metrics`; a receiver answering 410 stops the
 * deliveries with a clear status.
 */
import { TokenStore, type WatchOptions } from "@miro-token/core";
import type { Emulator, IssuedTokens } from "@miro-token/emulator";
import { FileTokenStore } from "@miro-token/store-file";
import { findLeaks } from "@miro-token/testkit";
import { Effect } from "effect";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import type { WatcherOptions } from "../src/Watcher.ts";
import { WEBHOOK_STATES } from "../src/webhooks/WebhookEvents.ts";
import { parseWebhookSecret } from "../src/webhooks/WebhookSignature.ts";
import { checkWebhookUrl } from "../src/webhooks/WebhookUrl.ts";
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
  tokenSetOf,
  waitFor,
  writeTokens,
} from "./Fixtures.ts";
import { metricPoints, startOtlpReceiver } from "./OtlpReceiver.ts";
import { type Receiver, startReceiver, TEST_SECRET, webhookHeaders } from "./WebhookReceiver.ts";

const cleanups = cleanupsAfterEach();

interface WebhookDocument {
  readonly status: string;
  readonly pending: number;
  readonly delivered: number;
  readonly failed: number;
  readonly lastError: string | null;
  readonly url: string;
}

const setup = async (
  receiver: Receiver,
  prepare: (emulator: Emulator, dir: string) => Promise<ReadonlyArray<IssuedTokens>> = (
    emulator,
    dir,
  ) => issueAndStore(emulator, dir, 2),
  activeIds: ReadonlyArray<string> = ["token-0", "token-1"],
  watch: WatchOptions = {},
  more: Partial<WatcherOptions> = {},
) => {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  const { emulator, stop } = await startSyncedEmulator();
  cleanups.push(stop);
  const issued = await prepare(emulator, dir.path);
  const url = checkWebhookUrl(receiver.url);
  if (!("url" in url)) throw new Error("bad receiver url");
  const watcher = await startTestWatcher(emulator, dir.path, {
    webhooks: {
      url: url.url,
      secret: parseWebhookSecret(TEST_SECRET)!,
      events: new Set(WEBHOOK_STATES),
      pollMs: 20,
      timeoutMs: 2_000,
      sweepMs: 50,
    },
    watch,
    ...more,
  });
  cleanups.push(() => watcher.close().then(() => undefined));
  await waitFor("Active", async () => {
    const states = await statesOf(watcher.url);
    return activeIds.every((id) => states[id] === "Active");
  });
  return { dir: dir.path, emulator, issued, watcher };
};

const webhooksOf = async (url: string) =>
  (await getJson<TokensDocument & { webhooks: WebhookDocument }>(`${url}/tokens`)).webhooks;

describe("webhooks", () => {
  it("a revocation sends one signed event that standardwebhooks verifies; no secret in it; a re-authorization sends the recovery", async () => {
    const receiver = await startReceiver(204);
    cleanups.push(receiver.close);
    const otlp = await startOtlpReceiver();
    cleanups.push(otlp.close);
    const { dir, emulator, issued, watcher } = await setup(
      receiver,
      undefined,
      undefined,
      {},
      {
        otlp: { endpoint: otlp.url, protocol: "http/json", exportInterval: 100 },
      },
    );
    expect(receiver.received).toEqual([]); // a first Active is no event

    emulator.revokeAccess(issued[1]!.accessToken);
    await waitFor("the event", () => receiver.received.length >= 1);
    const [request] = receiver.received;
    expect(request!.path).toBe("/hooks/miro");
    expect(request!.headers["content-type"]).toBe("application/json");
    const payload = new Webhook(TEST_SECRET).verify(request!.body, webhookHeaders(request!)) as {
      type: string;
      data: Record<string, unknown>;
    };
    const row = (await getJson<TokensDocument>(`${watcher.url}/tokens`)).tokens.find(
      (t) => t.id === "token-1",
    )!;
    expect(payload.type).toBe("token.state_changed");
    // Rejected, refreshed once, refused: the grant is dead (core's rule for a refreshable token).
    expect(row.state).toBe("ReauthorizeRequired");
    expect(payload.data).toMatchObject({
      tokenId: "token-1",
      fingerprint: row.fingerprint,
      userId: issued[1]!.userId,
      teamId: issued[1]!.teamId,
      previousState: "Active",
      state: "ReauthorizeRequired",
      reason: row.reason,
    });
    // A tampered body fails verification.
    expect(() =>
      new Webhook(TEST_SECRET).verify(`${request!.body} `, webhookHeaders(request!)),
    ).toThrow();

    await waitFor(
      "delivered in /tokens",
      async () => (await webhooksOf(watcher.url)).delivered === 1,
    );
    const summary = await webhooksOf(watcher.url);
    expect(summary).toMatchObject({ status: "ok", pending: 0, failed: 0 });
    expect(summary.url).toBe(receiver.url);
    const metrics = await (await fetch(`${watcher.url}/metrics`)).text();
    expect(metrics).toContain('miro_token_watcher_webhook_attempts_total{outcome="delivered"} 1');
    expect(metrics).toContain('miro_token_watcher_webhook_events{delivery="delivered"} 1');
    // The same series reach the OTLP exporter: they live in the watcher's metrics registry.
    await waitFor("the webhook families over OTLP", () => {
      const exported = otlp.json("/v1/metrics");
      const delivered = (name: string, label: string) =>
        metricPoints(exported, name).some(
          (p) => p.attributes[label] === "delivered" && p.value === 1,
        );
      return (
        delivered("miro_token_watcher_webhook_attempts_total", "outcome") &&
        delivered("miro_token_watcher_webhook_events", "delivery") &&
        metricPoints(exported, "miro_token_watcher_webhook_receiver_gone").length > 0
      );
    });

    // Re-authorized: a new token set for token-1 (a newer generation) is watched again.
    const fresh = emulator.issueTokens();
    const stored = await readStore(dir);
    expect(stored.find((e) => e.id === "token-1")!.generation).toBe(1);
    await Effect.runPromise(
      TokenStore.use((store) =>
        store.compareAndSet("token-1", 1, tokenSetOf(fresh, emulator.clock.now())),
      ).pipe(Effect.provide(FileTokenStore.layer({ directory: dir }))),
    );
    await waitFor("the recovery event", () => receiver.received.length >= 2);
    const recovery = new Webhook(TEST_SECRET).verify(
      receiver.received[1]!.body,
      webhookHeaders(receiver.received[1]!),
    ) as { data: Record<string, unknown> };
    expect(recovery.data).toMatchObject({
      tokenId: "token-1",
      previousState: "ReauthorizeRequired",
      state: "Active",
    });
    const ids = receiver.received.map((r) => r.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(ids.length);

    // Canary scan: no access token, refresh token, client secret or webhook secret anywhere
    // (receiver, /tokens, /metrics, NDJSON, OTLP exports).
    const secrets = [
      ...issued.flatMap((t) => [t.accessToken, t.refreshToken ?? ""]),
      fresh.accessToken,
      fresh.refreshToken ?? "",
      emulator.seed!.client.clientSecret,
      TEST_SECRET,
      TEST_SECRET.slice("whsec_".length),
    ].filter((s) => s !== "");
    const seen = receiver.received
      .map((r) => `${JSON.stringify(r.headers)}\n${r.body}`)
      .concat(JSON.stringify(await webhooksOf(watcher.url)), metrics, watcher.lines.join("\n"))
      .concat(otlp.received.map((r) => r.body))
      .join("\n");
    expect(findLeaks(seen, secrets)).toEqual([]);
  });

  it("a receiver answering 410 stops the deliveries, with a clear status in /tokens and /metrics", async () => {
    const receiver = await startReceiver(410);
    cleanups.push(receiver.close);
    const { emulator, issued, watcher } = await setup(receiver);

    emulator.revokeAccess(issued[0]!.accessToken);
    await waitFor("gone", async () => (await webhooksOf(watcher.url)).status === "gone");
    const summary = await webhooksOf(watcher.url);
    expect(summary.lastError).toBe("receiver gone (HTTP 410): deliveries stopped");
    expect(summary.failed).toBe(1);
    const metrics = await (await fetch(`${watcher.url}/metrics`)).text();
    expect(metrics).toContain("miro_token_watcher_webhook_receiver_gone 1");

    // A later change is recorded but not sent: the sender has stopped.
    emulator.revokeAccess(issued[1]!.accessToken);
    await waitFor("second event queued", async () => (await webhooksOf(watcher.url)).pending === 1);
    expect(receiver.received).toHaveLength(1);
  });

  it("a refresh token with 6 days left that cannot be renewed is reported RefreshTokenExpiring; renewed, the recovery follows", async () => {
    const receiver = await startReceiver(204);
    cleanups.push(receiver.close);
    const DAY = 86_400_000;
    const { emulator } = await setup(
      receiver,
      async (emulator, dir) => {
        // Miro's token endpoint fails (503) so the early renewal keeps failing, transiently.
        emulator.queueFault("token", { kind: "status", status: 503 }, 10_000);
        const issued = ["token-0", "token-1"].map(() => emulator.issueTokens());
        const now = emulator.clock.now();
        await writeTokens(
          dir,
          issued.map((t, i) => ({
            id: `token-${i}`,
            // token-0: issued 54 days ago (6 left); token-1: 10 days ago.
            tokenSet: {
              ...tokenSetOf(t, now),
              refreshTokenIssuedAt: now - (i === 0 ? 54 : 10) * DAY,
            },
          })),
        );
        return issued;
        // token-0's renewal is refreshed (and fails) before its first probe: only token-1 is Active.
      },
      ["token-1"],
    );
    await waitFor("RefreshTokenExpiring", () => receiver.received.length >= 1);
    const webhook = new Webhook(TEST_SECRET);
    const first = webhook.verify(
      receiver.received[0]!.body,
      webhookHeaders(receiver.received[0]!),
    ) as {
      data: Record<string, unknown>;
    };
    expect(first.data).toMatchObject({ tokenId: "token-0", state: "RefreshTokenExpiring" });

    emulator.clearFaults();
    await waitFor("the recovery", () => receiver.received.length >= 2, 15_000);
    const second = webhook.verify(
      receiver.received[1]!.body,
      webhookHeaders(receiver.received[1]!),
    ) as {
      data: Record<string, unknown>;
    };
    expect(second.data).toMatchObject({
      tokenId: "token-0",
      previousState: "RefreshTokenExpiring",
      state: "Active",
    });
    expect(receiver.received).toHaveLength(2); // token-1 (50 days left) sent nothing
  });

  it("a refresh token margin of 10 days: one with 8 days left (outside the default 7) is renewed early and, failing, reported", async () => {
    const DAY = 86_400_000;
    const receiver = await startReceiver(204);
    cleanups.push(receiver.close);
    const { emulator } = await setup(
      receiver,
      async (emulator, dir) => {
        // The early renewal keeps failing (503), so the token is reported.
        emulator.queueFault("token", { kind: "status", status: 503 }, 10_000);
        const issued = emulator.issueTokens();
        const now = emulator.clock.now();
        // Issued 52 days ago: 8 of its 60 days left.
        await writeTokens(dir, [
          {
            id: "token-0",
            tokenSet: { ...tokenSetOf(issued, now), refreshTokenIssuedAt: now - 52 * DAY },
          },
        ]);
        return [issued];
      },
      [],
      { refreshTokenMargin: "10 days" },
    );
    await waitFor("RefreshTokenExpiring", () => receiver.received.length >= 1);
    const event = new Webhook(TEST_SECRET).verify(
      receiver.received[0]!.body,
      webhookHeaders(receiver.received[0]!),
    ) as { data: Record<string, unknown> };
    expect(event.data).toMatchObject({ tokenId: "token-0", state: "RefreshTokenExpiring" });
    expect(emulator.requests.some((r) => r.route === "token")).toBe(true);
  });
});
