// `miro-token emulator` in process: it serves Miro's token API on the chosen port, prints
// fingerprints (secrets only with --show-token), and closes its socket when interrupted.
import { Effect, Fiber } from "effect";
import { describe, expect, it } from "vitest";
import { run, start, waitFor } from "./CliHarness.ts";

const startEmulatorCommand = async (argv: ReadonlyArray<string>) => {
  const live = await start(["emulator", "--port", "0", ...argv]);
  const stdout = await waitFor(live.stdout, (text) => text.includes("127.0.0.1"));
  return { live, stdout };
};

describe("emulator", () => {
  it("serves the token API until interrupted, printing one JSON document", async () => {
    const { live, stdout } = await startEmulatorCommand(["--json"]);
    const doc = JSON.parse(stdout) as {
      baseUrl: string;
      token: { fingerprint: string };
      secrets?: unknown;
    };
    expect(doc.token.fingerprint).toMatch(/^[0-9a-f]{8}$/);
    expect(doc.secrets).toBeUndefined();
    const seed = (await (await fetch(`${doc.baseUrl}/__emulator/seed`)).json()) as {
      tokens: { accessToken: string };
    };
    const info = await run(["info", "--json"], {
      env: { MIRO_API_BASE_URL: doc.baseUrl, MIRO_ACCESS_TOKEN: seed.tokens.accessToken },
    });
    expect(info.exitCode).toBe(0);
    expect(stdout).not.toContain(seed.tokens.accessToken);
    // Its clock follows real time (rate-limit windows reset), as the standalone binary's does.
    const config = (await (await fetch(`${doc.baseUrl}/__emulator/config`)).json()) as {
      clock: string;
    };
    expect(config.clock).toBe("real");
    await Effect.runPromise(Fiber.interrupt(live.fiber));
    await expect(fetch(`${doc.baseUrl}/__emulator/seed`)).rejects.toThrow();
  });

  it("prints the seeded secrets with --show-token, aligned", async () => {
    const { live, stdout } = await startEmulatorCommand(["--show-token"]);
    expect(stdout).toMatch(/^access token {9}eyJ/m);
    expect(stdout).toMatch(/^client secret {8}\S+/m);
    expect(stdout).toContain("Press Ctrl+C to stop.");
    await Effect.runPromise(Fiber.interrupt(live.fiber));
  });

  it("exits 2 when the port is taken or out of range", async () => {
    const { live, stdout } = await startEmulatorCommand(["--json"]);
    const port = new URL((JSON.parse(stdout) as { baseUrl: string }).baseUrl).port;
    const taken = await run(["emulator", "--port", port, "--json"]);
    expect(taken.exitCode).toBe(2);
    expect(taken.stdout).toContain("EADDRINUSE");
    expect((await run(["emulator", "--port", "70000"])).exitCode).toBe(2);
    await Effect.runPromise(Fiber.interrupt(live.fiber));
  });
});
