/**
 * The webhook settings: flags with environment fallback, the URL rule (https; http only to
 * loopback; no credentials), the `whsec_` secret from a file only and never quoted, the event
 * list; every problem listed at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/WatcherCommand.ts";
import { TEST_SECRET } from "./WebhookReceiver.ts";

const dir = mkdtempSync(join(tmpdir(), "watcher-webhook-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const secretFile = join(dir, "whsec");
writeFileSync(secretFile, `${TEST_SECRET}\n`, { mode: 0o600 });

const problemsOf = async (argv: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const result = await parseConfig(["--store", dir, ...argv], env);
  return result._tag === "Invalid" ? result.problems : [];
};

describe("webhook configuration", async () => {
  it("reads the URL, the secret file and the events, from flags or the environment", async () => {
    const result = await parseConfig(
      [
        "--store",
        dir,
        "--webhook-url",
        "https://app.example/hooks",
        "--webhook-events",
        "Invalid,Active",
      ],
      { MIRO_WATCHER_WEBHOOK_SECRET_FILE: secretFile, MIRO_WATCHER_WEBHOOK_TIMEOUT: "2s" },
    );
    expect(result._tag).toBe("Config");
    if (result._tag !== "Config") return;
    const webhooks = result.config.webhooks!;
    expect(webhooks.url.href).toBe("https://app.example/hooks");
    expect([...webhooks.events]).toEqual(["Invalid", "Active"]);
    expect(webhooks.timeoutMs).toBe(2_000);
    expect(String(webhooks.secret)).not.toContain("whsec");
    const none = await parseConfig(["--store", dir], {});
    expect(none._tag === "Config" && none.config.webhooks).toBeUndefined();
  });

  it("refuses plain http beyond loopback and credentials in the URL, without quoting them", async () => {
    expect(
      await problemsOf([
        "--webhook-url",
        "http://app.example/hooks",
        "--webhook-secret-file",
        secretFile,
      ]),
    ).toEqual([
      expect.stringMatching(
        /^--webhook-url must use https: plain http: is allowed only for a loopback host/,
      ),
    ]);
    const withPassword = await problemsOf([
      "--webhook-url",
      "https://user:hunter2-pass@app.example/hooks",
      "--webhook-secret-file",
      secretFile,
    ]);
    expect(withPassword).toEqual([
      expect.stringMatching(/^--webhook-url must not carry credentials/),
    ]);
    expect(withPassword.join()).not.toContain("hunter2");
    expect(
      await problemsOf([
        "--webhook-url",
        "http://127.0.0.1:9/h",
        "--webhook-secret-file",
        secretFile,
      ]),
    ).toEqual([]);
    expect(
      await problemsOf(["--webhook-url", "ftp://x/", "--webhook-secret-file", secretFile]),
    ).toEqual(["--webhook-url must be an http(s) URL such as https://api.miro.com"]);
  });

  it("lists every webhook problem at once; a bad secret file is never quoted", async () => {
    const bad = join(dir, "bad");
    const text = "not-a-secret-but-long-enough-to-look-like-one";
    writeFileSync(bad, text, { mode: 0o600 });
    const problems = await problemsOf([
      "--webhook-url",
      "nope",
      "--webhook-secret-file",
      bad,
      "--webhook-events",
      "Invalid,Exploded",
    ]);
    expect(problems).toEqual([
      "--webhook-url must be an http(s) URL such as https://api.miro.com",
      "--webhook-events: unknown state Exploded (known: Invalid, ReauthorizeRequired, Revoked, RefreshTokenExpiring, Active)",
      "--webhook-secret-file: the file must hold one whsec_<base64> secret of at least 16 bytes",
    ]);
    expect(problems.join("\n")).not.toContain(text);
    expect(await problemsOf(["--webhook-url", "https://a.example/"])).toEqual([
      "--webhook-url needs --webhook-secret-file <file> (a whsec_<base64> secret)",
    ]);
    expect(await problemsOf(["--webhook-secret-file", secretFile])).toEqual([
      "--webhook-secret-file and --webhook-events need --webhook-url",
    ]);
  });
});
