/**
 * `@miro-token/watcher`: the `miro-token-watcher` service as a library — `startWatcher` runs
 * it in-process (tests, or an app that embeds it) as a facade over the scoped `Watcher` layer,
 * with the types of what it hands back (the status board, the NDJSON lines). The service's own pieces (argv parsing, HTTP server,
 * metrics, status page) are not exported: the binary is their interface.
 *
 * @since 0.1.0
 */
export type { LifecycleLine, LineSink, StatusLine } from "./EventLog.ts";
export {
  type FleetAttachment,
  type FleetHealthView,
  type WatcherFleet,
  watcherFleet,
} from "./fleet/WatcherFleet.ts";
export type { HttpAccess } from "./HttpAccess.ts";
export {
  type BoardChange,
  type StatusBoard,
  TOKEN_STATES,
  type TokenState,
  type TokenView,
} from "./StatusBoard.ts";
export type { OtlpProtocol, OtlpSettings } from "./Telemetry.ts";
export {
  type RunningWatcher,
  startWatcher,
  Watcher,
  type WatcherOptions,
  type WatcherShape,
  WatcherStartError,
} from "./Watcher.ts";
export {
  EVENT_TYPE,
  WEBHOOK_STATES,
  type WebhookState,
} from "./webhooks/WebhookEvents.ts";
export { parseWebhookSecret, type WebhookSecret } from "./webhooks/WebhookSignature.ts";
export type { WebhookOptions, WebhookSummary } from "./webhooks/Webhooks.ts";
export { checkWebhookUrl } from "./webhooks/WebhookUrl.ts";
