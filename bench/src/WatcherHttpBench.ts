/**
 * What the watcher's HTTP server costs, two versions side by side: each runs alone in its own
 * process (`apps/watcher/test/fixtures/HttpServerProcess.ts`) over a board of `--tokens` rows,
 * and this process sends the load, alternating between the two in rounds so a busy machine
 * slows both alike. Reported per version: server CPU per request (median of rounds) for
 * `/healthz`, `/tokens`, `/metrics`, and per SSE event delivered to each of `--sse` clients;
 * RSS once listening and at the end. The ratio column is contender / baseline.
 *
 *   git archive <commit> apps/watcher/src | tar -x -C /tmp/old    # the baseline's sources
 *   node --conditions=@miro-token/source bench/src/WatcherHttpBench.ts \
 *     --baseline /tmp/old/apps/watcher/src [--contender apps/watcher/src] [--rounds 7]
 *
 * The baseline directory must sit where `@miro-token/core` resolves (inside the repository,
 * e.g. `apps/watcher/.baseline/src`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Agent, request } from "undici";
import { median } from "./Stats.ts";

const { values } = parseArgs({
  options: {
    baseline: { type: "string" },
    contender: { type: "string" },
    rounds: { type: "string" },
    tokens: { type: "string" },
    sse: { type: "string" },
  },
});
if (values.baseline === undefined) throw new Error("--baseline <src-dir> is required");
const rounds = Number(values.rounds ?? 7);
const tokens = values.tokens ?? "100";
const sseClients = Number(values.sse ?? 10);
const serverScript = fileURLToPath(
  new URL("../../apps/watcher/test/fixtures/HttpServerProcess.ts", import.meta.url),
);
const contenderDir = resolve(
  values.contender ?? fileURLToPath(new URL("../../apps/watcher/src", import.meta.url)),
);

interface ServerProcess {
  readonly name: string;
  readonly port: number;
  readonly ask: (command: string) => Promise<Record<string, number>>;
  readonly child: ChildProcess;
}

const startServer = async (name: string, dir: string): Promise<ServerProcess> => {
  const child = spawn(
    process.execPath,
    ["--conditions=@miro-token/source", serverScript, resolve(dir), "--tokens", tokens],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  process.once("exit", () => child.kill("SIGTERM"));
  const lines: Interface = createInterface({ input: child.stdout! });
  const pending: Array<(line: string) => void> = [];
  lines.on("line", (line) => pending.shift()?.(line));
  const next = () => new Promise<string>((done) => pending.push(done));
  const { port } = JSON.parse(await next()) as { port: number };
  const ask = async (command: string) => {
    const answer = next();
    child.stdin!.write(`${command}\n`);
    return JSON.parse(await answer) as Record<string, number>;
  };
  return { name, port, ask, child };
};

const agent = new Agent({ connections: 1, pipelining: 1 });

/** Server CPU microseconds per request over `count` sequential GETs of `path`. */
const perRequest = async (server: ServerProcess, path: string, count: number) => {
  const before = await server.ask("stats");
  for (let i = 0; i < count; i++) {
    const response = await request(`http://127.0.0.1:${server.port}${path}`, { dispatcher: agent });
    await response.body.arrayBuffer();
  }
  const after = await server.ask("stats");
  return (after.cpuMicros! - before.cpuMicros!) / count;
};

/** Server CPU microseconds per event per SSE client, `events` events to `clients` clients. */
const perSseEvent = async (server: ServerProcess, events: number) => {
  const controllers = Array.from({ length: sseClients }, () => new AbortController());
  let received = 0;
  const readers = await Promise.all(
    controllers.map(async (controller) => {
      const response = await fetch(`http://127.0.0.1:${server.port}/events`, {
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let carry = "";
      void (async () => {
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return;
            // A frame may straddle two chunks: count in the text including the last tail.
            const text = carry + decoder.decode(value, { stream: true });
            received += text.split("\nevent: status\n").length - 1;
            carry = text.slice(-14);
          }
        } catch {
          // aborted
        }
      })();
    }),
  );
  void readers;
  await new Promise((done) => setTimeout(done, 100));
  const before = await server.ask("stats");
  await server.ask(`events ${events}`);
  while (received < events * sseClients) await new Promise((done) => setTimeout(done, 5));
  const after = await server.ask("stats");
  for (const controller of controllers) controller.abort();
  await new Promise((done) => setTimeout(done, 100));
  return (after.cpuMicros! - before.cpuMicros!) / (events * sseClients);
};

const servers = [
  await startServer("baseline", values.baseline),
  await startServer("contender", contenderDir),
];
const rssAtStart = await Promise.all(servers.map((s) => s.ask("stats").then((r) => r.rss!)));
const cases = {
  "/healthz (µs CPU/request)": (s: ServerProcess) => perRequest(s, "/healthz", 2_000),
  [`/tokens, ${tokens} rows (µs CPU/request)`]: (s: ServerProcess) => perRequest(s, "/tokens", 300),
  "/metrics (µs CPU/request)": (s: ServerProcess) => perRequest(s, "/metrics", 300),
  [`SSE, ${sseClients} clients (µs CPU/event/client)`]: (s: ServerProcess) => perSseEvent(s, 2_000),
};
const samples = new Map<string, Array<Array<number>>>(
  Object.keys(cases).map((name) => [name, servers.map(() => [])]),
);
for (let round = 0; round < rounds; round++) {
  // Alternate who goes first, so neither always meets a warmer machine.
  const order = round % 2 === 0 ? [0, 1] : [1, 0];
  for (const [name, run] of Object.entries(cases)) {
    for (const i of order) {
      samples.get(name)![i]!.push(await run(servers[i]!));
      process.stderr.write(`round ${round + 1} ${servers[i]!.name} ${name}\n`);
    }
  }
}
const rssAtEnd = await Promise.all(servers.map((s) => s.ask("stats").then((r) => r.rss!)));

const line = (name: string, a: string, b: string, ratio: string) =>
  console.log(`${name.padEnd(40)} ${a.padStart(10)} ${b.padStart(10)} ${ratio.padStart(7)}`);
console.log(`\nwatcher HTTP server, ${rounds} rounds, medians (server process only)`);
line("", "baseline", "contender", "ratio");
for (const [name, [a, b]] of samples) {
  const [ma, mb] = [median(a!), median(b!)];
  line(name, ma.toFixed(1), mb.toFixed(1), (mb / ma).toFixed(2));
}
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
line(
  "RSS listening (MiB)",
  mib(rssAtStart[0]!),
  mib(rssAtStart[1]!),
  (rssAtStart[1]! / rssAtStart[0]!).toFixed(2),
);
line(
  "RSS at end (MiB)",
  mib(rssAtEnd[0]!),
  mib(rssAtEnd[1]!),
  (rssAtEnd[1]! / rssAtEnd[0]!).toFixed(2),
);
for (const server of servers) {
  server.child.stdin!.write("quit\n");
  await once(server.child, "exit");
}
await agent.close();
