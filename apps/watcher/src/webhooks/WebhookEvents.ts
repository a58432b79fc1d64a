/**
 * What a webhook reports: the states an app cares about, which status change becomes which
 * event, and the event's JSON body. A token's state for webhooks is coarser than its status:
 * transitional statuses (`Expiring`, `Refreshing`, `Unreachable`, ...) change nothing, so an
 * app hears "it died", "its refresh token is running out" and "it is back", not every probe.
 *
 * The body follows the Standard Webhooks payload shape (`type`, `timestamp`, `data`) and holds
 * ids, the fingerprint and states only: never a token.
 *
 * @since 0.1.0
 */
import type { TokenView } from "../StatusBoard.ts";

/**
 * The states a webhook reports.
 *
 * @category models
 * @since 0.1.0
 */
export type WebhookState =
  | "Active"
  | "Invalid"
  | "ReauthorizeRequired"
  | "Revoked"
  | "RefreshTokenExpiring";

/**
 * Every reportable state, and the default selection of `--webhook-events` (`Active` means a
 * recovery: a token back to `Active` after one of the others).
 *
 * @category constants
 * @since 0.1.0
 */
export const WEBHOOK_STATES: ReadonlyArray<WebhookState> = [
  "Invalid",
  "ReauthorizeRequired",
  "Revoked",
  "RefreshTokenExpiring",
  "Active",
];

/**
 * The webhook state a board state maps to, `undefined` for transitional ones.
 *
 * @category models
 * @since 0.1.0
 */
export const webhookStateOf = (state: string): WebhookState | undefined =>
  (WEBHOOK_STATES as ReadonlyArray<string>).includes(state) ? (state as WebhookState) : undefined;

/**
 * Read a `--webhook-events` list (comma separated): the states, or the unknown names.
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseWebhookEvents = (
  text: string,
): { readonly events: ReadonlySet<WebhookState> } | { readonly unknown: ReadonlyArray<string> } => {
  const names = text
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const unknown = names.filter((name) => webhookStateOf(name) === undefined);
  return unknown.length > 0 || names.length === 0
    ? { unknown: unknown.length > 0 ? unknown : ["(empty list)"] }
    : { events: new Set(names as ReadonlyArray<WebhookState>) };
};

/**
 * The `type` of every event.
 *
 * @category constants
 * @since 0.1.0
 */
export const EVENT_TYPE = "token.state_changed";

/**
 * Whether a move from `previous` to `state` is an event under `selected`: the first state seen
 * of a token is an event unless it is `Active` (nothing to recover from).
 *
 * @category models
 * @since 0.1.0
 */
export const isReported = (
  selected: ReadonlySet<WebhookState>,
  previous: string | undefined,
  state: WebhookState,
): boolean =>
  selected.has(state) && (state !== "Active" || (previous !== undefined && previous !== "Active"));

/**
 * The JSON body of one event.
 *
 * @category formatting
 * @since 0.1.0
 */
export const eventBody = (
  view: TokenView,
  previous: string | undefined,
  state: WebhookState,
  at: number,
): string =>
  JSON.stringify({
    type: EVENT_TYPE,
    timestamp: new Date(at).toISOString(),
    data: {
      tokenId: view.id,
      fingerprint: view.fingerprint,
      userId: view.userId,
      teamId: view.teamId,
      previousState: previous ?? null,
      state,
      reason: view.reason,
      changedAt: view.since,
    },
  });
