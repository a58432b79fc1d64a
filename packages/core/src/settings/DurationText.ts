/**
 * The one duration grammar of the toolkit, shared by the CLI and the watcher (before, the CLI
 * accepted `1m30s` and days and the watcher accepted neither). A duration is a bare number of
 * seconds (`30`, `1.5`) or one or more `<number><unit>` parts with the units `ms`, `s`, `m`,
 * `h` and `d`, optionally separated by spaces: `500ms`, `10s`, `1m30s`, `2 h`, `1d 12h`.
 *
 * Pure (no `node:` imports): each app adds its own bounds (`--interval` at least 50ms, a
 * timeout above zero) and its own wording around the one parser.
 *
 * @since 0.1.0
 */
import { Duration } from "effect";

const BARE_SECONDS = /^\d+(?:\.\d+)?$/;
const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*/y;
const UNIT_MILLIS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * The longest text read as a duration: a longer one is refused without being scanned.
 *
 * @category constants
 * @since 0.1.0
 */
export const MAX_DURATION_TEXT_LENGTH = 64;

/**
 * The duration a text denotes, or `undefined` when it is not one (never throws). Leading and
 * trailing spaces are ignored; a negative or non-finite value is not a duration.
 *
 * @example
 * parseDuration("1m30s") // Duration of 90 seconds
 * parseDuration("30")    // 30 seconds
 * parseDuration("soon")  // undefined
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseDuration = (text: string): Duration.Duration | undefined => {
  if (text.length > MAX_DURATION_TEXT_LENGTH) return undefined;
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  if (BARE_SECONDS.test(trimmed)) {
    const seconds = Number(trimmed);
    return Number.isFinite(seconds) ? Duration.millis(seconds * 1_000) : undefined;
  }
  const scanner = new RegExp(PART.source, "y");
  let millis = 0;
  let consumed = 0;
  for (let match = scanner.exec(trimmed); match !== null; match = scanner.exec(trimmed)) {
    millis += Number(match[1]) * (UNIT_MILLIS[match[2] ?? "s"] ?? 1_000);
    consumed = scanner.lastIndex;
  }
  return consumed === trimmed.length && Number.isFinite(millis)
    ? Duration.millis(millis)
    : undefined;
};

/**
 * {@link parseDuration} in whole milliseconds (rounded), for callers that count in numbers.
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseDurationMillis = (text: string): number | undefined => {
  const duration = parseDuration(text);
  return duration === undefined ? undefined : Math.round(Duration.toMillis(duration));
};
