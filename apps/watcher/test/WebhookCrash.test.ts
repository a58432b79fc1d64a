/**
 * At least once across a crash [real process]: the watcher records a revocation's event and
 * starts delivering it to a receiver that does not answer; it is SIGKILLed mid-delivery; a
 * restarted watcher (the receiver now answering) delivers the same event, and the transition
 * it sees again after the restart mints no second event: exactly one event id per transition.
 * The watcher runs from its sources under `timeout -k`; the SIGKILL goes to the Node process
 * itself (found through /proc), not to the `timeout` wrapper.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import {
  getJson,
  issueAndStore,
  startSyncedEmulator,
  type TokensDocument,
  tempDir,
  waitFor,
} from "./Fixtures.ts";
import { startReceiver, TEST_SECRET, webhookHeaders } from "./WebhookReceiver.ts";

const SOURCE = fileURLToPath(new URL("../src/bin.ts", import.meta.url));

const children: Array<ChildProcess> = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const start = (args: ReadonlyArray<string>) => {
  const child = spawn(
    "timeout",
    ["-k", "5", "60", process.execPath, "--conditions=@miro-token/source", SOURCE, ...args],
    { env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  let stdout = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.resume();
  const exit = once(child, "exit");
  const port = waitFor("listening line", () => {
    const first = stdout.split("\n")[0];
    return first?.endsWith("}") ? (JSON.parse(first) as { port: number }).port : undefined;
  });
  /** The watcher's own pid: the child of `timeout`. */
  const watcherPid = () =>
    Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim());
  return { port, exit, watcherPid };
};

describe("webhooks across a crash", () => {
  it("SIGKILL between the status change and the delivery: after a restart the event arrives, one event id", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const { emulator, stop } = await startSyncedEmulator();
    cleanups.push(stop);
    const [token] = await issueAndStore(emulator, dir.path, 1);
    const receiver = await startReceiver("hang");
    cleanups.push(receiver.close);
    const secretFile = join(dir.path, "..", `${dir.path.split("/").at(-1)}.whsec`);
    writeFileSync(secretFile, `${TEST_SECRET}\n`, { mode: 0o600 });
    cleanups.push(() => writeFileSync(secretFile, ""));
    const args = [
      ...["--store", dir.path, "--port", "0", "--base-url", emulator.baseUrl],
      ...["--interval", "100ms", "--webhook-url", receiver.url],
      ...["--webhook-secret-file", secretFile, "--webhook-timeout", "1s"],
    ];
    const tokensAt = (port: number) =>
      getJson<TokensDocument & { webhooks: { delivered: number; pending: number; recent: [] } }>(
        `http://127.0.0.1:${port}/tokens`,
      );

    const first = start(args);
    const firstPort = await first.port;
    await waitFor("Active", async () => (await tokensAt(firstPort)).tokens[0]?.state === "Active");
    emulator.revokeAccess(token!.accessToken);
    await waitFor("the delivery in flight", () => receiver.received.length === 1);
    const dead = (await tokensAt(firstPort)).tokens[0]?.state; // ReauthorizeRequired, by core's rule
    expect(dead).toBe("ReauthorizeRequired");
    process.kill(first.watcherPid(), "SIGKILL");
    await first.exit;

    receiver.answer = 204;
    const second = start(args);
    const secondPort = await second.port;
    await waitFor(
      "delivered after the restart",
      async () => (await tokensAt(secondPort)).webhooks.delivered === 1,
      15_000,
    );
    // The restarted watcher saw the same state again: recorded already, so no second event.
    await waitFor(
      "the same state again",
      async () => (await tokensAt(secondPort)).tokens[0]?.state === dead,
    );
    // Stop it gracefully (its close waits for queued recordings), then read the outbox itself.
    process.kill(second.watcherPid(), "SIGTERM");
    await second.exit;
    const outbox = JSON.parse(readFileSync(join(dir.path, "outbox", "outbox.json"), "utf8")) as {
      states: Record<string, string>;
      entries: ReadonlyArray<{ event: { id: string }; delivery: string }>;
    };
    expect(outbox.states).toEqual({ "token-0": dead });
    expect(outbox.entries.map((e) => e.delivery)).toEqual(["delivered"]);

    expect(receiver.received.length).toBeGreaterThanOrEqual(2);
    const ids = new Set(receiver.received.map((r) => r.headers["webhook-id"]));
    expect(ids.size).toBe(1);
    const webhook = new Webhook(TEST_SECRET);
    const last = receiver.received.at(-1)!;
    const payload = webhook.verify(last.body, webhookHeaders(last)) as {
      data: { tokenId: string; state: string };
    };
    expect(payload.data).toMatchObject({ tokenId: "token-0", state: dead });
  });
});
