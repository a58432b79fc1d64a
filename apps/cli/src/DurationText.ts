/**
 * Durations on the command line: core's one grammar (`parseDuration`: `500ms`, `10s`, `1m30s`,
 * `2h`, `1d`, a bare number of seconds), shared with the watcher, plus the CLI's wording of a
 * refusal and the short form it prints remaining time in.
 */
import { parseDuration } from "@miro-token/core";
import { Duration, Effect } from "effect";
import { UsageError } from "./Failure.ts";

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
