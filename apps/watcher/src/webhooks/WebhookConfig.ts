/**
 * The webhook settings of the watcher's configuration: `--webhook-url`,
 * `--webhook-secret-file` and `--webhook-events`, each with an environment fallback, checked
 * with the rest at start (every problem listed, exit 2). The secret comes from a file only,
 * like the client secret, and is read by the same reader (`WatcherConfig.ts`).
 *
 * @since 0.1.0
 */

import { parseWebhookEvents, WEBHOOK_STATES } from "./WebhookEvents.ts";
import { parseWebhookSecret } from "./WebhookSignature.ts";
import type { WebhookOptions } from "./Webhooks.ts";
import { checkWebhookUrl } from "./WebhookUrl.ts";

/**
 * The webhook flags, for `FLAGS` (help text and environment variables).
 *
 * @category constants
 * @since 0.1.0
 */
export const WEBHOOK_FLAGS = [
  {
    flag: "webhook-url",
    env: "MIRO_WATCHER_WEBHOOK_URL",
    value: "<url>",
    text: "POST a signed event (Standard Webhooks) on each state change (https; http only to loopback)",
  },
  {
    flag: "webhook-secret-file",
    env: "MIRO_WATCHER_WEBHOOK_SECRET_FILE",
    value: "<file>",
    text: "file holding the signing secret, whsec_<base64> (required with --webhook-url)",
  },
  {
    flag: "webhook-events",
    env: "MIRO_WATCHER_WEBHOOK_EVENTS",
    value: "<list>",
    text: `states that send an event, comma separated (default ${WEBHOOK_STATES.join(",")})`,
  },
  {
    flag: "webhook-timeout",
    env: "MIRO_WATCHER_WEBHOOK_TIMEOUT",
    value: "<duration>",
    text: "longest wait for the receiver's answer (default 10s); a crashed sender's events are resent after twice this",
  },
] as const;

/**
 * Read the webhook settings: `undefined` when no URL is set; problems are pushed.
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseWebhookSettings = async (
  setting: (flag: string) => { readonly text: string; readonly from: string } | undefined,
  duration: (flag: string, fallback: number, min: number) => number,
  readSecretFile: (from: string, text: string) => Promise<string | undefined>,
  problems: Array<string>,
): Promise<WebhookOptions | undefined> => {
  const urlSetting = setting("webhook-url");
  const secretSetting = setting("webhook-secret-file");
  const eventsSetting = setting("webhook-events");
  if (urlSetting === undefined) {
    if (secretSetting !== undefined || eventsSetting !== undefined) {
      problems.push("--webhook-secret-file and --webhook-events need --webhook-url");
    }
    return undefined;
  }
  const checked = checkWebhookUrl(urlSetting.text);
  if ("problem" in checked) problems.push(`${urlSetting.from} ${checked.problem}`);
  let events = new Set(WEBHOOK_STATES);
  if (eventsSetting !== undefined) {
    const parsed = parseWebhookEvents(eventsSetting.text);
    if ("unknown" in parsed) {
      problems.push(
        `${eventsSetting.from}: unknown state ${parsed.unknown.join(", ")} (known: ${WEBHOOK_STATES.join(", ")})`,
      );
    } else {
      events = new Set(parsed.events);
    }
  }
  if (secretSetting === undefined) {
    problems.push("--webhook-url needs --webhook-secret-file <file> (a whsec_<base64> secret)");
    return undefined;
  }
  const text = await readSecretFile(secretSetting.from, secretSetting.text);
  if (text === undefined) return undefined;
  const secret = parseWebhookSecret(text);
  if (secret === undefined) {
    problems.push(
      `${secretSetting.from}: the file must hold one whsec_<base64> secret of at least 16 bytes`,
    );
    return undefined;
  }
  const timeoutMs = duration("webhook-timeout", 10_000, 100);
  return "problem" in checked ? undefined : { url: checked.url, secret, events, timeoutMs };
};
