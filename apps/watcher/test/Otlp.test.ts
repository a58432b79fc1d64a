/**
 * OTLP export: off by default; with `--otlp-endpoint` (or `OTEL_EXPORTER_OTLP_ENDPOINT`) the
 * spans core makes and the watcher's metrics reach an OTLP/HTTP receiver (a small server on
 * port 0), in-process and from the binary at SIGTERM (flushed at shutdown). A canary: no
 * token, refresh token or client secret in anything exported.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { findLeaks } from "@miro-token/testkit";
import { Redacted } from "effect";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/WatcherCommand.ts";
import {
  cleanupsAfterEach,
  issueAndStore,
  readStore,
  startSyncedEmulator,
  startTestWatcher,
  statesOf,
  tempDir,
  waitFor,
} from "./Fixtures.ts";
import { metricNames, spanNames, startOtlpReceiver } from "./OtlpReceiver.ts";
import { spawnWatcher } from "./WatcherProcess.ts";

const cleanups = cleanupsAfterEach();

/** A store with `count` tokens, an emulator with 30 s tokens, a receiver. */
const setup = async (count: number) => {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  const { emulator, stop } = await startSyncedEmulator({ accessTokenTtlSeconds: 30 });
  cleanups.push(stop);
  const issued = await issueAndStore(emulator, dir.path, count);
  const receiver = await startOtlpReceiver();
  cleanups.push(receiver.close);
  return { dir: dir.path, emulator, issued, receiver };
};

/** Every secret of the run: issued tokens, stored (refreshed) tokens, the client secret. */
const secretsOf = async (
  dir: string,
  issued: ReadonlyArray<{ accessToken: string; refreshToken?: string | undefined }>,
  clientSecret: string,
) => {
  const stored = await readStore(dir);
  return [
    clientSecret,
    ...issued.flatMap((t) => [t.accessToken, t.refreshToken ?? ""]),
    ...stored.flatMap((e) => [
      Redacted.value(e.tokenSet.accessToken),
      e.tokenSet.refreshToken === undefined ? "" : Redacted.value(e.tokenSet.refreshToken),
    ]),
  ].filter((s) => s !== "");
};

describe("OTLP export", () => {
  it("is off by default, read from --otlp-endpoint or OTEL_EXPORTER_OTLP_ENDPOINT, and refuses what it cannot use", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const off = await parseConfig(["--store", dir.path], {});
    expect(off._tag === "Config" && off.config.otlp).toBeUndefined();
    const fromEnv = await parseConfig(["--store", dir.path], {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    });
    expect(fromEnv._tag === "Config" && fromEnv.config.otlp).toEqual({
      endpoint: "http://collector:4318",
      protocol: "http/json",
    });
    const disabled = await parseConfig(["--store", dir.path], {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/",
      OTEL_SDK_DISABLED: "true",
    });
    expect(disabled._tag === "Config" && disabled.config.otlp).toBeUndefined();
    const fromFlag = await parseConfig(
      ["--store", dir.path, "--otlp-endpoint", "https://otel.example/base"],
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" },
    );
    expect(fromFlag._tag === "Config" && fromFlag.config.otlp).toEqual({
      endpoint: "https://otel.example/base",
      protocol: "http/protobuf",
    });
    const bad = await parseConfig(
      ["--store", dir.path, "--otlp-endpoint", "https://user:pw-canary-otlp@otel.example"],
      { OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" },
    );
    expect(bad).toEqual({
      _tag: "Invalid",
      problems: ["--otlp-endpoint must not carry credentials"],
    });
    const grpc = await parseConfig(["--store", dir.path], {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4317",
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
    });
    expect(grpc._tag === "Invalid" && grpc.problems).toEqual([
      "OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json (OTLP over HTTP)",
    ]);
  });

  it("sends core's spans and the watcher's metrics while it runs; nothing secret in them", async () => {
    const { dir, emulator, issued, receiver } = await setup(2);
    const client = emulator.seed!.client;
    const watcher = await startTestWatcher(emulator, dir, {
      // Every token is due for refresh at once (window 60 s > ttl 30 s).
      watch: { interval: 100, refreshWindow: 60_000, jitter: 0 },
      otlp: { endpoint: receiver.url, protocol: "http/json", exportInterval: 100 },
    });
    await waitFor("both refreshed", async () => {
      const states = Object.values(await statesOf(watcher.url));
      return (await readStore(dir)).every((e) => e.generation > 1) && states.length === 2;
    });
    await waitFor("spans and metrics", () => {
      const spans = spanNames(receiver.json("/v1/traces"));
      const metrics = metricNames(receiver.json("/v1/metrics"));
      return (
        spans.includes("NodeTransport.send") &&
        spans.includes("TokenClient.refresh") &&
        metrics.includes("miro_token_watcher_build_info") &&
        // The watcher's own metrics, from the registry `/metrics` shows.
        metrics.includes("miro_token_watcher_refreshes_total") &&
        metrics.includes("miro_token_watcher_request_duration_seconds")
      );
    });
    await watcher.close();
    expect(receiver.received.every((r) => r.contentType.startsWith("application/json"))).toBe(true);
    const exported = receiver.received.map((r) => r.body).join("\n");
    expect(exported).toContain("miro-token-watcher");
    expect(findLeaks(exported, await secretsOf(dir, issued, client.clientSecret))).toEqual([]);
  });

  it("the binary exports when OTEL_EXPORTER_OTLP_ENDPOINT is set and flushes at SIGTERM", async () => {
    const { dir, emulator, issued, receiver } = await setup(1);
    const client = emulator.seed!.client;
    const secretFile = join(dir, "..", `${dir.split("/").at(-1)}.secret`);
    writeFileSync(secretFile, `${client.clientSecret}\n`, { mode: 0o600 });
    cleanups.push(() => writeFileSync(secretFile, ""));
    const r = spawnWatcher(
      [
        ...["--store", dir, "--port", "0", "--base-url", emulator.baseUrl, "--interval", "100ms"],
        ...["--refresh-window", "60s", "--client-id", client.clientId],
        ...["--client-secret-file", secretFile],
      ],
      { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" },
    );
    await waitFor("a refresh persisted", async () =>
      (await readStore(dir)).every((e) => e.generation > 1),
    );
    // Before the default export interval (5 s) has passed: what arrives is the flush at exit.
    r.child.kill("SIGTERM");
    expect((await r.exit).code).toBe(0);
    const spans = spanNames(receiver.json("/v1/traces"));
    expect(spans).toContain("TokenClient.refresh");
    expect(metricNames(receiver.json("/v1/metrics"))).toContain("miro_token_watcher_build_info");
    const exported = receiver.received.map((r) => r.body).join("\n");
    const secrets = await secretsOf(dir, issued, client.clientSecret);
    expect(findLeaks(`${exported}\n${r.stdout()}\n${r.stderr()}`, secrets)).toEqual([]);
  });
});
