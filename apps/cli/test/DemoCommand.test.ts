// `miro-token demo` in process (real time: the watcher, the refresh and the revoke all happen
// over loopback): the story's steps in order, NDJSON with --json, well under a minute.
import { describe, expect, it } from "vitest";
import { run } from "./CliHarness.ts";

describe("demo", () => {
  it("walks a token through its whole life as NDJSON, in order, within a minute", async () => {
    const started = Date.now();
    const result = await run(["demo", "--json"]);
    expect(result.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
    const lines = result.stdout
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line.type === "step").map((line) => line.step)).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    const states = lines.filter((line) => line.type === "status").map((line) => line.state);
    expect(states.slice(0, 1)).toEqual(["Active"]);
    expect(states).toEqual(expect.arrayContaining(["Refreshing", "Refreshed"]));
    const death = states.findIndex(
      (state) => state === "Invalid" || state === "ReauthorizeRequired",
    );
    expect(death).toBeGreaterThan(states.indexOf("Refreshed"));
    expect(lines).toContainEqual(
      expect.objectContaining({ type: "result", step: 3, oldTokenRejected: true }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ type: "result", step: 4, verified: true, endpoint: "v2" }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ type: "result", step: 6, state: "expired" }),
    );
    expect(lines.at(-1)).toMatchObject({ type: "done", ok: true });
    expect(result.stdout).not.toMatch(/eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_/);
    // The help's "~N s" tells the truth (within a factor of two either way).
    const help = await run(["--help"]);
    const claimed = Number(/demo .*\(~(\d+) s\)/.exec(help.stdout)?.[1]) * 1000;
    const elapsed = Number(lines.at(-1)?.elapsedMs);
    expect(elapsed).toBeGreaterThan(claimed / 2);
    expect(elapsed).toBeLessThan(claimed * 2);
  });

  it("tells the story for people, without colour off a terminal", async () => {
    const result = await run(["demo", "--transport", "node"]);
    expect(result.exitCode).toBe(0);
    for (const title of [
      "1. A user authorizes the app",
      "2. miro-token info",
      "3. miro-token watch",
      "4. miro-token revoke --verify",
      "5. The watcher sees it die",
      "6. A token nobody refreshes",
    ]) {
      expect(result.stdout).toContain(title);
    }
    expect(result.stdout).toMatch(/Done in \d+\.\d s\./);
    expect(result.stdout).not.toContain("\u001b[");
    expect(result.stdout).not.toMatch(/eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_/);
  });
});
