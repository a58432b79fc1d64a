/**
 * Issue 10, points 1-3, in the watcher's configuration: the base URL goes through core's rule
 * (plain http beyond loopback only with --allow-insecure-http, which warns; never credentials,
 * never echoed), --allowed-host repeats, and listening beyond loopback needs --http-token-file,
 * a bounded read of a regular file. The process exits 2 on each refusal.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canaryToken, findLeaks } from "@miro-token/testkit";
import { Redacted } from "effect";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/WatcherCommand.ts";
import { issueAndStore, startSyncedEmulator, tempDir, waitFor } from "./Fixtures.ts";
import { spawnWatcher } from "./WatcherProcess.ts";

const dir = mkdtempSync(join(tmpdir(), "watcher-access-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PASSWORD = "pw-canary-in-base-url";
const ACCESS = canaryToken();
const tokenFile = join(dir, "access");
writeFileSync(tokenFile, `${ACCESS}\n`, { mode: 0o600 });

const problemsOf = async (argv: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const result = await parseConfig(["--store", dir, ...argv], env);
  return result._tag === "Invalid" ? result.problems.join("\n") : "";
};

describe("watcher configuration: network access", () => {
  it("refuses plain http beyond loopback unless --allow-insecure-http, which warns", async () => {
    expect(await problemsOf(["--base-url", "http://miro.example"])).toContain(
      "--allow-insecure-http",
    );
    expect(await problemsOf([], { MIRO_API_BASE_URL: "http://10.1.2.3" })).toContain(
      "MIRO_API_BASE_URL",
    );
    for (const allow of [["--allow-insecure-http"], []]) {
      const env: Record<string, string> =
        allow.length === 0 ? { MIRO_ALLOW_INSECURE_HTTP: "1" } : {};
      const result = await parseConfig(
        ["--store", dir, "--base-url", "http://miro.example/", ...allow],
        env,
      );
      expect(result._tag).toBe("Config");
      if (result._tag !== "Config") return;
      expect(result.config.baseUrl).toBe("http://miro.example");
      expect(result.config.allowInsecureHttp).toBe(true);
      expect(result.config.warnings.join("\n")).toContain("travel in clear");
    }
  });

  it("refuses credentials in the base URL without echoing them", async () => {
    const problems = await problemsOf([
      "--allow-insecure-http",
      "--base-url",
      `http://user:${PASSWORD}@127.0.0.1:8710`,
    ]);
    expect(problems).toContain("credentials");
    expect(problems).not.toContain(PASSWORD);
  });

  it("needs --http-token-file when --host is not loopback", async () => {
    expect(await problemsOf(["--host", "0.0.0.0"])).toContain("--http-token-file");
    expect(await problemsOf(["--host", "::"])).toContain("--http-token-file");
    expect(await problemsOf(["--host", "::1"])).toBe("");
    const result = await parseConfig(
      ["--store", dir, "--host", "0.0.0.0", "--http-token-file", tokenFile],
      { MIRO_WATCHER_ALLOWED_HOSTS: "watcher.internal, 10.0.0.5" },
    );
    expect(result._tag).toBe("Config");
    if (result._tag !== "Config") return;
    expect(Redacted.value(result.config.httpToken!)).toBe(ACCESS);
    expect(result.config.allowedHosts).toEqual(["watcher.internal", "10.0.0.5"]);
    expect(result.config.warnings.join("\n")).not.toContain("--allowed-host");
    const bare = await parseConfig(
      ["--store", dir, "--host", "::", "--http-token-file", tokenFile],
      {},
    );
    expect(bare._tag === "Config" && bare.config.warnings.join("\n")).toContain("--allowed-host");
    expect(JSON.stringify(result.config)).not.toContain(ACCESS);
  });

  it("repeats --allowed-host (a flag wins over the environment)", async () => {
    const result = await parseConfig(
      ["--store", dir, "--allowed-host", "a.internal", "--allowed-host", "b.internal"],
      { MIRO_WATCHER_ALLOWED_HOSTS: "c.internal" },
    );
    expect(result._tag === "Config" && result.config.allowedHosts).toEqual([
      "a.internal",
      "b.internal",
    ]);
    expect(await problemsOf(["--allowed-host", "bad host/"])).toContain("--allowed-host");
  });

  it("reads the token file bounded, regular files only, never quoting it", async () => {
    const short = join(dir, "short");
    writeFileSync(short, "tiny\n", { mode: 0o600 });
    const loose = join(dir, "loose");
    writeFileSync(loose, ACCESS, { mode: 0o644 });
    expect(await problemsOf(["--http-token-file", "/dev/zero"])).toContain("not a regular file");
    expect(await problemsOf(["--http-token-file", dir])).toContain("not a regular file");
    expect(await problemsOf(["--http-token-file", short])).toContain("16 to 1024");
    expect(await problemsOf(["--http-token-file", join(dir, "absent")])).toContain("ENOENT");
    const result = await parseConfig(["--store", dir, "--http-token-file", loose], {});
    expect(result._tag === "Config" && result.config.warnings.join("\n")).toContain("chmod 600");
  });

  it("the process exits 2 when asked to listen beyond loopback without a token", async () => {
    const r = spawnWatcher(["--store", dir, "--host", "0.0.0.0"]);
    expect((await r.exit).code).toBe(2);
    expect(r.stderr()).toContain("--http-token-file");
    expect(r.stdout()).toBe("");
  });

  it("a running watcher process never prints its access token (stdout, stderr, responses)", async () => {
    const store = tempDir();
    const { emulator, stop } = await startSyncedEmulator();
    try {
      await issueAndStore(emulator, store.path, 2);
      const r = spawnWatcher(["--store", store.path, "--port", "0"], {
        MIRO_API_BASE_URL: emulator.baseUrl,
        MIRO_WATCHER_HOST: "0.0.0.0",
        MIRO_WATCHER_HTTP_TOKEN_FILE: tokenFile,
        MIRO_WATCHER_INTERVAL: "100ms",
      });
      const output = () => `${r.stdout()}${r.stderr()}`;
      const port = await waitFor("listening", () => /"port":(\d+)/.exec(output())?.[1]);
      const bodies: Array<string> = [];
      for (const path of ["/", "/healthz", "/tokens", "/metrics", "/nowhere"]) {
        for (const authorization of [`Bearer ${ACCESS}`, "Bearer wrong-token-value-1234"]) {
          const res = await fetch(`http://127.0.0.1:${port}${path}`, {
            headers: { authorization },
          });
          bodies.push(`${res.status} ${JSON.stringify([...res.headers])} ${await res.text()}`);
        }
      }
      r.child.kill("SIGTERM");
      await r.exit;
      expect(bodies.some((b) => b.startsWith("401 "))).toBe(true);
      expect(output()).toContain("--allowed-host");
      expect(findLeaks(`${output()}\n${bodies.join("\n")}`, [ACCESS])).toEqual([]);
    } finally {
      await stop();
      store.cleanup();
    }
  });
});
