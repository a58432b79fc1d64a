/// <reference lib="dom" />
/**
 * The status page in a real browser: Debian's headless Chromium driven by playwright-core.
 * The page lists the store's tokens, counts expiry down, and a token revoked behind the
 * watcher's back turns ReauthorizeRequired (rejected, refreshed once, refused) without a reload
 * (the update comes from `/events`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redacted } from "effect";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { WatcherOptions } from "../src/Watcher.ts";
import {
  cleanupsAfterEach,
  issueAndStore,
  startSyncedEmulator,
  startTestWatcher,
  tempDir,
} from "./Fixtures.ts";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

const cleanups = cleanupsAfterEach();

/** A watcher over `count` stored tokens and a fresh headless Chromium page, all cleaned up. */
const watcherAndPage = async (count: number, options: Partial<WatcherOptions> = {}) => {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  const { emulator, stop } = await startSyncedEmulator();
  cleanups.push(stop);
  const issued = await issueAndStore(emulator, dir.path, count);
  const watcher = await startTestWatcher(emulator, dir.path, {
    watch: { interval: 200, jitter: 0 },
    ...options,
  });
  cleanups.push(() => watcher.close().then(() => undefined));
  const profile = mkdtempSync(join(tmpdir(), "watcher-chromium-"));
  cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
  // A fresh profile directory per run (playwright passes it as --user-data-dir).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    timeout: 20_000,
  });
  cleanups.push(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: Array<string> = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  return { emulator, issued, watcher, page, pageErrors };
};

describe("the status page", () => {
  it("lists the tokens and shows a revoked one as dead without a reload", async () => {
    const { emulator, issued, watcher, page, pageErrors } = await watcherAndPage(3);
    let navigations = 0;
    page.on("framenavigated", () => {
      navigations += 1;
    });

    await page.goto(watcher.url);
    expect(navigations).toBe(1);
    await page.waitForFunction(
      () => document.querySelector("#connection")?.getAttribute("data-connected") === "true",
    );
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll("#tokens tr")].filter(
          (tr) => (tr as HTMLElement).dataset.state === "Active",
        ).length === 3,
      undefined,
      { timeout: 10_000 },
    );
    const ids = await page.$$eval("#tokens tr", (rows) =>
      rows.map((tr) => (tr as HTMLElement).dataset.id),
    );
    expect(ids).toEqual(issued.map((t) => t.id));
    // Expiry counts down (the emulator's tokens live an hour).
    const ttl = await page.textContent('#tokens tr[data-id="token-0"] td.ttl');
    expect(ttl).toMatch(/^59m \d+s$/);
    await page.waitForFunction(
      (first) =>
        document.querySelector('#tokens tr[data-id="token-0"] td.ttl')?.textContent !== first,
      ttl,
      { timeout: 3_000 },
    );
    const fingerprint = await page.textContent('#tokens tr[data-id="token-0"] td.fingerprint');
    expect(fingerprint).toMatch(/^[0-9a-f]{8,}$/);

    emulator.revokeAccess(issued[1]!.accessToken);
    await page.waitForFunction(
      () =>
        (document.querySelector('#tokens tr[data-id="token-1"]') as HTMLElement | null)?.dataset
          .state === "ReauthorizeRequired",
      undefined,
      { timeout: 5_000 },
    );
    expect(await page.textContent('#tokens tr[data-id="token-1"] td.state')).toBe(
      "ReauthorizeRequired",
    );
    expect(await page.textContent('#tokens tr[data-id="token-1"] td.reason')).toContain(
      "ClientAuthError",
    );
    expect(await page.textContent('#tokens tr[data-id="token-0"] td.state')).toBe("Active");
    expect(await page.textContent("#summary")).toBe("3 tokens: 2 Active, 1 ReauthorizeRequired");
    expect(navigations).toBe(1);

    // The page holds no secret.
    const html = await page.content();
    for (const t of issued) expect(html).not.toContain(t.accessToken.slice(-16));
    expect(pageErrors).toEqual([]);
  });

  it("asks for the access token, sends it only in a header, and goes live", async () => {
    const access = "status-page-access-Hq2Wm7Rt5Yc8";
    const { watcher, page, pageErrors } = await watcherAndPage(2, {
      access: { token: Redacted.make(access) },
    });
    const urls: Array<string> = [];
    const authorized: Array<string> = [];
    page.on("request", (request) => {
      urls.push(request.url());
      if (request.headers().authorization === `Bearer ${access}`) authorized.push(request.url());
    });

    await page.goto(watcher.url);
    await page.waitForSelector("#access:not([hidden])");
    expect(await page.getAttribute("#connection", "data-connected")).toBe("false");
    await page.fill("#access-token", access);
    await page.click("#access button");
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll("#tokens tr")].filter(
          (tr) => (tr as HTMLElement).dataset.state === "Active",
        ).length === 2,
      undefined,
      { timeout: 10_000 },
    );
    expect(await page.getAttribute("#connection", "data-connected")).toBe("true");
    expect(await page.isHidden("#access")).toBe(true);
    expect(authorized).toEqual([`${watcher.url}/events`]);
    expect(urls.filter((url) => url.includes(access))).toEqual([]);
    expect(await page.content()).not.toContain(access);
    expect(pageErrors).toEqual([]);
  });
});
