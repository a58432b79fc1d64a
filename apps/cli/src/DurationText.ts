/**
 * Durations as people type them on a command line: `500ms`, `10s`, `5m`, `2h`, `1d`, a bare
 * number of seconds, or combinations such as `1m30s`.
 */
import { Duration, Effect } from "effect";
import { UsageError } from "./Failure.ts";

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
const UNIT_MILLIS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** The duration a text denotes, or `undefined` when it is not one. */
export const parseDuration = (text: string): Duration.Duration | undefined => {
  const trimmed = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Duration.seconds(Number(trimmed));
  if (trimmed === "") return undefined;
  PART.lastIndex = 0;
  let millis = 0;
  let consumed = 0;
  for (let match = PART.exec(trimmed); match !== null; match = PART.exec(trimmed)) {
    millis += Number(match[1]) * (UNIT_MILLIS[match[2] ?? "s"] ?? 1_000);
    consumed = PART.lastIndex;
  }
  return consumed === trimmed.length && Number.isFinite(millis)
    ? Duration.millis(millis)
    : undefined;
};

/** A short human form: `59m 58s`, `1h 0m`, `12s`, `850ms`, `expired`. */
export const formatRemaining = (millis: number): string => {
  if (millis <= 0) return "expired";
  if (millis < 1_000) return `${Math.round(millis)}ms`;
  const seconds = Math.floor(millis / 1_000);
  const h = Math.floor(seconds / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
};

/** A duration option's value, or a usage error naming the option (never the value). */
export const durationOption = (
  option: string,
  text: string,
): Effect.Effect<Duration.Duration, UsageError> => {
  const duration = parseDuration(text);
  return duration === undefined || Duration.toMillis(duration) <= 0
    ? Effect.fail(
        new UsageError({ reason: `${option} must be a positive duration such as 30s, 5m or 1h` }),
      )
    : Effect.succeed(duration);
};
