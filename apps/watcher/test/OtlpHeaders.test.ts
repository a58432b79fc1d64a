/**
 * OTLP headers (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_TRACES_HEADERS`,
 * `OTEL_EXPORTER_OTLP_METRICS_HEADERS`): parsed by the OpenTelemetry convention (comma-separated
 * `name=value`, URL-encoded values, a per-signal name winning), sent on every export to a
 * receiver on port 0 (in process and from the binary), refused over plain http: to a host
 * outside loopback, and never shown: a canary API key appears in no problem, log line,
 * `/healthz`, `/metrics`, `/tokens`, nor the config's printed form.
 */
import { inspect } from "node:util";
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
  tempDir,
  waitFor,
} from "./Fixtures.ts";
import { startOtlpReceiver } from "./OtlpReceiver.ts";
import { spawnWatcher } from "./WatcherProcess.ts";

const cleanups = cleanupsAfterEach();

/** A canary API key with characters that must be URL-encoded (space, comma, equals). */
const CANARY = "Canary Otlp=Key,7f3a9c1e5b";
const ENCODED = encodeURIComponent(CANARY);
const leaks = (text: string) => findLeaks(text, [CANARY, ENCODED, "7f3a9c1e5b"]);

const configOf = async (env: Record<string, string>) => {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  return parseConfig(["--store", dir.path], env);
};

describe("OTLP headers", () => {
  it("are parsed by the convention, per signal, held Redacted, and refused where they would leak", async () => {
    const parsed = await configOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: "https://otel.example",
      OTEL_EXPORTER_OTLP_HEADERS: ` api-key = ${ENCODED} , X-Team=shared,`,
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: "x-team=metrics%20team",
    });
    expect(parsed._tag).toBe("Config");
    const otlp = parsed._tag === "Config" ? parsed.config.otlp : undefined;
    const reveal = (headers: Record<string, Redacted.Redacted<string>> | undefined) =>
      Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, Redacted.value(v)]));
    expect(reveal(otlp?.headers?.traces)).toEqual({ "api-key": CANARY, "x-team": "shared" });
    expect(reveal(otlp?.headers?.metrics)).toEqual({ "api-key": CANARY, "x-team": "metrics team" });
    expect(leaks(`${JSON.stringify(parsed)}\n${inspect(parsed, { depth: 10 })}`)).toEqual([]);

    // Loopback over http: is fine; another host over http: is refused (headers are credentials).
    const loopback = await configOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: `api-key=${ENCODED}`,
    });
    expect(loopback._tag).toBe("Config");
    const plain = await configOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector.internal:4318",
      OTEL_EXPORTER_OTLP_HEADERS: `api-key=${ENCODED}`,
    });
    expect(plain).toEqual({
      _tag: "Invalid",
      problems: [
        "OTEL_EXPORTER_OTLP_HEADERS (and the per-signal lists) carry credentials: the OTLP endpoint must use https: (plain http: only to a loopback host: 127.0.0.0/8, ::1, localhost)",
      ],
    });
    // Without headers, plain http: to any host stays allowed (nothing secret is sent).
    expect(
      (await configOf({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector.internal:4318" }))._tag,
    ).toBe("Config");

    // Malformed lists: the variable and the entry's position, never a name or value.
    for (const [text, problem] of [
      [`ok=1,${CANARY.replace("=", "")}`, "entry 2 must be name=value"],
      [`api key=${ENCODED}`, "entry 1 must be name=value"],
      [`api-key=${ENCODED}%E0%A4%A`, "entry 1 has a value that is not valid URL encoding"],
      [`api-key=${ENCODED}%0A`, "entry 1 has a value that cannot be sent in a header"],
      [`api-key=${ENCODED}%E2%82%AC`, "entry 1 has a value that cannot be sent in a header"],
    ] as const) {
      const bad = await configOf({
        OTEL_EXPORTER_OTLP_ENDPOINT: "https://otel.example",
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: text,
      });
      expect(bad._tag).toBe("Invalid");
      const problems = bad._tag === "Invalid" ? bad.problems.join("\n") : "";
      expect(problems).toContain(`OTEL_EXPORTER_OTLP_TRACES_HEADERS: ${problem}`);
      expect(leaks(problems)).toEqual([]);
    }
  });

  it("reach the receiver on every export of each signal; nothing shows them", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const { emulator, stop } = await startSyncedEmulator();
    cleanups.push(stop);
    await issueAndStore(emulator, dir.path, 1);
    const receiver = await startOtlpReceiver();
    cleanups.push(receiver.close);
    const watcher = await startTestWatcher(emulator, dir.path, {
      watch: { interval: 100, jitter: 0 },
      otlp: {
        endpoint: receiver.url,
        protocol: "http/json",
        exportInterval: 100,
        headers: {
          traces: { "api-key": Redacted.make(CANARY), "x-signal": Redacted.make("traces") },
          metrics: { "api-key": Redacted.make(CANARY), "x-signal": Redacted.make("metrics") },
        },
      },
    });
    await waitFor("both signals exported", () =>
      ["/v1/traces", "/v1/metrics"].every((path) => receiver.received.some((r) => r.path === path)),
    );
    const shown = await Promise.all(
      ["/healthz", "/metrics", "/tokens"].map(async (path) =>
        (await fetch(`${watcher.url}${path}`)).text(),
      ),
    );
    await watcher.close();
    for (const received of receiver.received) {
      expect(received.headers["api-key"]).toBe(CANARY);
      expect(received.headers["x-signal"]).toBe(
        received.path === "/v1/traces" ? "traces" : "metrics",
      );
    }
    expect(leaks([...shown, ...watcher.lines].join("\n"))).toEqual([]);
    expect(leaks(receiver.received.map((r) => r.body).join("\n"))).toEqual([]);
  });

  it("the binary sends OTEL_EXPORTER_OTLP_HEADERS, and a collector refusing them leaks nothing", async () => {
    for (const status of [200, 401]) {
      const dir = tempDir();
      cleanups.push(dir.cleanup);
      const { emulator, stop } = await startSyncedEmulator();
      cleanups.push(stop);
      await issueAndStore(emulator, dir.path, 1);
      const receiver = await startOtlpReceiver(status);
      cleanups.push(receiver.close);
      const r = spawnWatcher(
        [
          ...["--store", dir.path, "--port", "0", "--base-url", emulator.baseUrl],
          "--interval",
          "100ms",
        ],
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
          OTEL_EXPORTER_OTLP_HEADERS: `api-key=${ENCODED}`,
        },
      );
      await waitFor(
        "a probe",
        async () =>
          (await readStore(dir.path)).length === 1 && r.stdout().includes('"state":"Active"'),
      );
      r.child.kill("SIGTERM");
      expect((await r.exit).code).toBe(0);
      expect(receiver.received.length).toBeGreaterThan(0);
      for (const received of receiver.received) expect(received.headers["api-key"]).toBe(CANARY);
      expect(leaks(`${r.stdout()}\n${r.stderr()}`)).toEqual([]);
    }
  });
});
