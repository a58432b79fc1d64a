/**
 * The NDJSON event log on stdout: one JSON object per line. Status lines carry the time, the
 * token's id, fingerprint, generation, state, expiry and reason (a {@link TokenView}'s fields,
 * never a token); lifecycle lines (`listening`, `stopping`, `stopped`) say where the HTTP
 * server listens and how shutdown went, so a supervisor can read the port from the first line.
 *
 * @since 0.1.0
 */
import type { TokenView } from "./StatusBoard.ts";

/**
 * One status line: `{"time","event":"status","id","fingerprint","generation","state",
 * "expiresAt","reason"}`.
 *
 * @category models
 * @since 0.1.0
 */
export interface StatusLine {
  readonly time: string;
  readonly event: "status";
  readonly id: string;
  readonly fingerprint: string;
  readonly generation: number;
  readonly state: TokenView["state"];
  readonly expiresAt: string | null;
  readonly reason: string | null;
  /** For a `Quarantined` token: the unreadable entry's file name. */
  readonly file?: string | undefined;
}

/**
 * A lifecycle line.
 *
 * @category models
 * @since 0.1.0
 */
export type LifecycleLine =
  | {
      readonly time: string;
      readonly event: "listening";
      readonly url: string;
      readonly port: number;
      readonly tokens: number;
      /** Store entries that could not be read, quarantined (each gets a status line). */
      readonly quarantined: number;
    }
  | { readonly time: string; readonly event: "stopping"; readonly signal: string }
  | { readonly time: string; readonly event: "stopped"; readonly clean: boolean };

/**
 * The status line of a board row.
 *
 * @category formatting
 * @since 0.1.0
 */
export const statusLine = (view: TokenView): StatusLine => ({
  time: view.updatedAt,
  event: "status",
  id: view.id,
  fingerprint: view.fingerprint,
  generation: view.generation,
  state: view.state,
  expiresAt: view.expiresAt,
  reason: view.reason,
  ...(view.file === undefined ? {} : { file: view.file }),
});

/**
 * Where lines go: a function given one line without its newline.
 *
 * @category models
 * @since 0.1.0
 */
export type LineSink = (line: string) => void;

/**
 * A sink that writes lines to a stream (stdout by default). Lines are written as they come:
 * Node buffers a pipe that is slower than the watcher rather than dropping lines.
 *
 * @category constructors
 * @since 0.1.0
 */
export const streamSink =
  (stream: NodeJS.WritableStream = process.stdout): LineSink =>
  (line) => {
    stream.write(`${line}\n`);
  };

/**
 * Encode one line.
 *
 * @category formatting
 * @since 0.1.0
 */
export const encodeLine = (line: StatusLine | LifecycleLine): string => JSON.stringify(line);
