// The built binary, spawned: `--json` output and exit codes for an active, invalid, revoked
// and rate-limited (429, then success) token, an unreachable Miro (closed port) and a usage
// error; plus RELIABILITY target 10: /proc/<pid>/cmdline, sampled every 10 ms while the CLI
// runs in --token-file, stdin and env modes, never holds the token, and --token=<canary> is
// refused with exit 2 and no 8-character slice of it in the output.
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { findLeaks, makeCanaries } from "@miro-token/testkit";
import { describe, expect, it } from "vitest";
import { type SpawnResult, spawnCli } from "./BuiltBinary.ts";
import { emulatorPerFile } from "./EmulatorPerFile.ts";
import { writeTempFile } from "./TempFiles.ts";

// The bundle is built once for every test file by the global setup (test/bundle.ts).
const emulator = emulatorPerFile(120_000);

const json = (result: SpawnResult) => {
  const lines = result.stdout.trim().split("\n");
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
};

const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe("the built miro-token binary", () => {
  it("exits 0 with an info document for an active token", async () => {
    const { accessToken } = emulator.issueTokens();
    const result = await spawnCli(["info", "--json"], {
      env: { MIRO_API_BASE_URL: emulator.baseUrl, MIRO_ACCESS_TOKEN: accessToken },
    });
    expect(result.exitCode).toBe(0);
    expect(json(result)).toMatchObject({ ok: true, command: "info", state: "active" });
    expect(result.stderr).toBe("");
  });

  it("exits 3 for an invalid token", async () => {
    const result = await spawnCli(["info", "--json"], {
      env: {
        MIRO_API_BASE_URL: emulator.baseUrl,
        MIRO_ACCESS_TOKEN: "eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_nosuchtoken",
      },
    });
    expect(result.exitCode).toBe(3);
    expect(json(result)).toMatchObject({
      ok: false,
      error: { tag: "InvalidTokenError", status: 400 },
    });
  });

  it("exits 3 for a revoked token (revoked by the CLI itself)", async () => {
    const { accessToken } = emulator.issueTokens();
    const env = {
      MIRO_API_BASE_URL: emulator.baseUrl,
      MIRO_CLIENT_ID: emulator.seed!.client.clientId,
      MIRO_CLIENT_SECRET: emulator.seed!.client.clientSecret,
    };
    const revoked = await spawnCli(["revoke", "--json", "-"], { env, stdin: `${accessToken}\n` });
    expect(revoked.exitCode).toBe(0);
    const result = await spawnCli(["info", "--json", "-"], { env, stdin: `${accessToken}\n` });
    expect(result.exitCode).toBe(3);
    expect(json(result)).toMatchObject({ error: { tag: "InvalidTokenError" } });
  });

  it("exits 5 when Miro is unreachable", async () => {
    const port = await closedPort();
    const result = await spawnCli(["info", "--json", "--retries", "0"], {
      env: { MIRO_API_BASE_URL: `http://127.0.0.1:${port}`, MIRO_ACCESS_TOKEN: "token" },
    });
    expect(result.exitCode).toBe(5);
    expect(json(result)).toMatchObject({
      ok: false,
      error: { tag: "TransportError" },
      exitCode: 5,
    });
  });

  it("retries a 429 and exits 0", async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.queueFault("token-info", {
      kind: "status",
      status: 429,
      headers: { "retry-after": "1" },
    });
    const started = Date.now();
    const result = await spawnCli(["info", "--json"], {
      env: { MIRO_API_BASE_URL: emulator.baseUrl, MIRO_ACCESS_TOKEN: accessToken },
    });
    expect(result.exitCode).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(json(result)).toMatchObject({ ok: true });
  });

  it("exits 2 on a usage error, with a JSON document", async () => {
    const result = await spawnCli(["info", "--no-such-flag", "--json"]);
    expect(result.exitCode).toBe(2);
    expect(json(result)).toMatchObject({ ok: false, error: { tag: "UsageError" }, exitCode: 2 });
  });

  it("prints help with the exit codes fast, and exits 0", async () => {
    const result = await spawnCli(["--help"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("EXIT CODES");
    expect(result.stdout).toContain("130");
  });
});

/** The `node` child of the `timeout` process, once it has started. */
const nodeChildOf = async (timeoutPid: number): Promise<number> => {
  for (let i = 0; i < 200; i++) {
    try {
      const children = readFileSync(
        `/proc/${timeoutPid}/task/${timeoutPid}/children`,
        "utf8",
      ).trim();
      if (children !== "") return Number(children.split(/\s+/)[0]);
    } catch {
      // not started yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the CLI process did not start");
};

/** Run the CLI, send `signal` to it after 1.5 s, and return how it ended. */
const signalledRun = async (
  argv: ReadonlyArray<string>,
  env: Record<string, string>,
  signal: NodeJS.Signals,
): Promise<SpawnResult> => {
  let timeoutPid = -1;
  const running = spawnCli(argv, {
    env,
    onSpawn: (pid) => {
      timeoutPid = pid;
    },
  });
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  process.kill(await nodeChildOf(timeoutPid), signal);
  return running;
};

describe("interruption", () => {
  it("watch exits 130 on SIGINT, emulator exits 130 on SIGTERM and frees its port", async () => {
    const { accessToken } = emulator.issueTokens();
    const watched = await signalledRun(
      ["watch", "--json", "--interval", "60s"],
      { MIRO_API_BASE_URL: emulator.baseUrl, MIRO_ACCESS_TOKEN: accessToken },
      "SIGINT",
    );
    expect(watched.exitCode).toBe(130);
    expect(watched.stdout).toContain('"state":"Active"');
    // NDJSON to the end: the last line says the run was interrupted, and what it saved.
    const lines = watched.stdout.trim().split("\n");
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({
      interrupted: true,
      exitCode: 130,
      saved: [],
    });

    let emulatorPid = -1;
    const port = await closedPort();
    const serving = spawnCli(["emulator", "--port", String(port), "--json"], {
      onSpawn: (pid) => {
        emulatorPid = pid;
      },
    });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`${base}/__emulator/seed`).then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    process.kill(await nodeChildOf(emulatorPid), "SIGTERM");
    const served = await serving;
    expect(served.exitCode).toBe(130);
    expect(JSON.parse(served.stdout)).toMatchObject({ ok: true, baseUrl: base });
    await expect(fetch(`${base}/__emulator/seed`)).rejects.toThrow();
  });
});

describe("interruption of a one-document command", () => {
  it("login --json on SIGTERM prints exactly one document: interrupted, nothing saved", async () => {
    const result = await signalledRun(
      ["login", "--json", "--no-browser", "--client-id", "app"],
      { MIRO_API_BASE_URL: emulator.baseUrl, MIRO_CLIENT_SECRET: "s3cret" },
      "SIGTERM",
    );
    expect(result.exitCode).toBe(130);
    expect(json(result)).toEqual({
      ok: false,
      error: { tag: "Interrupted", message: "interrupted (SIGINT or SIGTERM)" },
      exitCode: 130,
      interrupted: true,
      saved: [],
    });
  });
});

describe("bounded secret files (issue 10, point 7)", () => {
  it.each([
    ["info", "--token-file", "/dev/zero"],
    ["info", "--client-secret-file", "/dev/zero", "--token-file", "/dev/zero"],
    ["revoke", "--client-secret-file", "/dev/zero"],
  ])("%s %s %s is a usage error at once, not a read of /dev/zero", async (...argv) => {
    const started = Date.now();
    const result = await spawnCli([...argv, "--json"], {
      env: { MIRO_API_BASE_URL: emulator.baseUrl, MIRO_ACCESS_TOKEN: "tok-abc" },
      timeoutSeconds: 10,
    });
    expect(result.exitCode).toBe(2);
    expect(json(result)).toMatchObject({ ok: false, exitCode: 2 });
    expect(result.stdout).toContain("not a regular file");
    // Node's start-up included; reading /dev/zero would run until the 10 s timeout (or OOM).
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});

describe("RELIABILITY target 10: argv and /proc/<pid>/cmdline", () => {
  const canaries = makeCanaries();

  /** Run while sampling the CLI's cmdline every 10 ms; return the run and every sample. */
  const sampled = async (
    argv: ReadonlyArray<string>,
    options: { env?: Record<string, string>; stdin?: string },
  ) => {
    const samples: Array<string> = [];
    let timer: NodeJS.Timeout | undefined;
    const read = (pid: number) => {
      for (const candidate of [pid, ...childrenOf(pid)]) {
        try {
          samples.push(readFileSync(`/proc/${candidate}/cmdline`, "utf8").replaceAll("\0", " "));
        } catch {
          // the process already ended
        }
      }
    };
    const result = await spawnCli(argv, {
      ...options,
      onSpawn: (pid) => {
        read(pid);
        timer = setInterval(() => read(pid), 10);
      },
    });
    clearInterval(timer);
    return { result, samples };
  };

  const childrenOf = (pid: number): ReadonlyArray<number> => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
        .trim()
        .split(/\s+/)
        .filter((text) => text !== "")
        .map(Number);
    } catch {
      return [];
    }
  };

  const slowEmulatorEnv = () => {
    // A 300 ms answer keeps the CLI alive long enough for many samples.
    emulator.queueFault("token-info", { kind: "delay", ms: 300 });
    return { MIRO_API_BASE_URL: emulator.baseUrl };
  };

  it("never shows the token in cmdline in --token-file, stdin and env modes", async () => {
    const file = await writeTempFile(`${canaries.accessToken}\n`);
    const runs = [
      await sampled(["info", "--json", "--token-file", file], { env: slowEmulatorEnv() }),
      await sampled(["info", "--json", "-"], {
        env: slowEmulatorEnv(),
        stdin: `${canaries.accessToken}\n`,
      }),
      await sampled(["info", "--json"], {
        env: { ...slowEmulatorEnv(), MIRO_ACCESS_TOKEN: canaries.accessToken },
      }),
    ];
    for (const { result, samples } of runs) {
      expect(result.exitCode).toBe(3);
      expect(samples.length).toBeGreaterThan(5);
      expect(samples.some((sample) => sample.includes("bin/miro-token.js"))).toBe(true);
      expect(findLeaks(samples.join("\n"), [canaries.accessToken])).toEqual([]);
      expect(findLeaks(result.stdout + result.stderr, [canaries.accessToken])).toEqual([]);
    }
  });

  it.each([
    ["--token=<canary>", [`--token=${canaries.accessToken}`]],
    ["--access-token <canary>", ["--access-token", canaries.accessToken]],
    ["--token <canary>", ["--token", canaries.accessToken]],
  ])("refuses %s with exit 2 and no slice of the value", async (_name, flags) => {
    for (const json of [[], ["--json"]]) {
      const result = await spawnCli(["info", ...flags, ...json]);
      expect(result.exitCode).toBe(2);
      expect(result.stdout + result.stderr).toContain("never accepted on the command line");
      expect(findLeaks(result.stdout + result.stderr, [canaries.accessToken])).toEqual([]);
    }
  });
});
