/**
 * The miro-token-emulator binary, spawned with this Node: the --json start line, the aligned text
 * output, clean exit on SIGTERM/SIGINT, exit 2 on bad flags, and --help.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import packageJson from "../package.json" with { type: "json" };
import { variantsForSeed } from "../src/index.ts";
import { formPost, refreshGrant } from "./support.ts";

const BIN = fileURLToPath(new URL("../bin/miro-token-emulator.js", import.meta.url));

const run = (args: ReadonlyArray<string>): ChildProcess =>
  spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });

const firstLine = async (child: ChildProcess): Promise<string> => {
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  const [line] = (await once(lines, "line")) as [string];
  lines.close();
  return line;
};

const collect = (stream: NodeJS.ReadableStream | null): (() => string) => {
  let text = "";
  stream?.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  return () => text;
};

describe("miro-token-emulator binary", () => {
  it("prints one JSON start line with a working token, and exits 0 on SIGTERM", {
    timeout: 20_000,
  }, async () => {
    const child = run(["--port", "0", "--json"]);
    const stderr = collect(child.stderr);
    try {
      const start = JSON.parse(await firstLine(child)) as Record<string, unknown>;
      expect(Object.keys(start).sort()).toEqual([
        "accessToken",
        "baseUrl",
        "clientId",
        "clientSecret",
        "expiresIn",
        "refreshToken",
        "variants",
      ]);
      expect(start.variants).toMatchObject({ tokenInfoFailure: "400-bare", retryAfter: "absent" });
      expect(start.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(start.expiresIn).toBe(3599);
      const info = await fetch(`${start.baseUrl}/v1/oauth-token`, {
        headers: { authorization: `Bearer ${start.accessToken}` },
      });
      expect(info.status).toBe(200);
      const refreshed = await fetch(
        `${start.baseUrl}/v1/oauth/token`,
        formPost(
          refreshGrant(
            { clientId: String(start.clientId), clientSecret: String(start.clientSecret) },
            String(start.refreshToken),
          ),
        ),
      );
      expect(refreshed.status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
    const [code, signal] = (await once(child, "exit")) as [number | null, string | null];
    expect({ code, signal, stderr: stderr() }).toEqual({ code: 0, signal: null, stderr: "" });
  });

  it("prints aligned human text by default and exits 0 on SIGINT", {
    timeout: 20_000,
  }, async () => {
    const child = run(["--port", "0", "--v1-revoke", "gone", "--no-retry-after"]);
    const stdout = collect(child.stdout);
    const first = await firstLine(child);
    expect(first).toMatch(/^Miro token emulator\s+http:\/\/127\.0\.0\.1:\d+$/);
    const baseUrl = first.split(/\s+/).at(-1) ?? "";
    const gone = await fetch(`${baseUrl}/v1/oauth/revoke?access_token=x`, { method: "POST" });
    expect(gone.status).toBe(404);
    child.kill("SIGINT");
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(0);
    const text = `${first}\n${stdout()}`;
    for (const label of ["client id", "client secret", "access token", "refresh token"]) {
      expect(text).toMatch(new RegExp(`^${label}\\s+\\S+$`, "m"));
    }
    const valueColumns = new Set(
      text
        .split("\n")
        .map((line) => /^\S.*?\S {2,}(\S.*)$/.exec(line))
        .filter((match) => match !== null)
        .map((match) => match.input.length - (match[1] ?? "").length),
    );
    expect(valueColumns.size).toBe(1);
  });

  it("rejects bad flags on stderr with exit code 2 and no stack trace", {
    timeout: 20_000,
  }, async () => {
    for (const args of [
      ["--bogus"],
      ["--port", "http"],
      ["--v1-revoke", "later"],
      ["--variant", "retryAfter=sometimes"],
      ["--variant", "nonsense=1"],
      ["--variant-seed", "-3"],
    ]) {
      const child = run(args);
      const stderr = collect(child.stderr);
      const stdout = collect(child.stdout);
      const [code] = (await once(child, "exit")) as [number | null];
      expect(code).toBe(2);
      expect(stderr()).toMatch(/^miro-token-emulator: /);
      expect(stderr()).not.toMatch(/\n\s+at /);
      expect(stdout()).toBe("");
    }
  });

  const startJson = async (args: ReadonlyArray<string>) => {
    const child = run(["--port", "0", "--json", ...args]);
    const start = JSON.parse(await firstLine(child)) as { baseUrl: string };
    return { child, baseUrl: start.baseUrl };
  };
  const clockNow = async (baseUrl: string): Promise<number> =>
    ((await (await fetch(`${baseUrl}/__emulator/clock`)).json()) as { now: number }).now;

  it("follows real time by default, so rate-limit windows reset (issue 10 point 13)", {
    timeout: 20_000,
  }, async () => {
    const { child, baseUrl } = await startJson([]);
    try {
      const first = await clockNow(baseUrl);
      // Real time has to pass for a real-time clock to move: poll, bounded.
      let later = first;
      for (let i = 0; i < 200 && later === first; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        later = await clockNow(baseUrl);
      }
      expect(later).toBeGreaterThan(first);
      const config = (await (await fetch(`${baseUrl}/__emulator/config`)).json()) as {
        clock: string;
      };
      expect(config.clock).toBe("real");
    } finally {
      child.kill("SIGTERM");
    }
    await once(child, "exit");
  });

  it("--freeze-clock keeps the clock still until told to move", { timeout: 20_000 }, async () => {
    const { child, baseUrl } = await startJson(["--freeze-clock"]);
    try {
      const first = await clockNow(baseUrl);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await clockNow(baseUrl)).toBe(first);
    } finally {
      child.kill("SIGTERM");
    }
    await once(child, "exit");
  });

  it("--variant-seed and --variant choose the variants", { timeout: 20_000 }, async () => {
    const { child, baseUrl } = await startJson([
      "--variant-seed",
      "7",
      "--variant",
      "tokenInfoFailure=401-codes",
      "--retry-after",
    ]);
    try {
      const config = (await (await fetch(`${baseUrl}/__emulator/config`)).json()) as {
        variants: Record<string, string>;
        variantSeed: number;
      };
      expect(config.variantSeed).toBe(7);
      expect(config.variants).toEqual({
        ...variantsForSeed(7),
        tokenInfoFailure: "401-codes",
        retryAfter: "present",
      });
      const info = await fetch(`${baseUrl}/v1/oauth-token`, {
        headers: { authorization: "Bearer nope" },
      });
      expect(info.status).toBe(401);
    } finally {
      child.kill("SIGTERM");
    }
    await once(child, "exit");
  });

  it("prints usage with --help and exits 0", { timeout: 20_000 }, async () => {
    const child = run(["--help"]);
    const stdout = collect(child.stdout);
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(0);
    expect(stdout()).toMatch(/^Usage: miro-token-emulator/);
    expect(stdout()).toContain("--json");
  });

  it("prints the version from package.json with --version and exits 0", {
    timeout: 20_000,
  }, async () => {
    const child = run(["--version"]);
    const stdout = collect(child.stdout);
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(0);
    expect(stdout()).toBe(`miro-token-emulator ${packageJson.version}\n`);
  });
});
