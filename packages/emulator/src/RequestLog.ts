/**
 * The request log tests assert on: one entry per request to a Miro route or an unknown path
 * (control API calls are not logged), with every secret masked and a `secretsInUrl` flag for
 * secrets that travelled in the query string. Capped at the most recent 10,000 entries.
 */
import type { IncomingMessage } from "node:http";
import type { EmulatorRoute } from "./Faults.ts";
import { MIRO_TOKEN_PATTERN } from "./Identifiers.ts";
import {
  bodySecrets,
  isSecretName,
  maskHeader,
  maskSecret,
  maskText,
  paramSecrets,
} from "./SecretMask.ts";

/** One logged request, secrets masked. */
export interface LoggedRequest {
  /** Emulator clock, epoch ms, when the request arrived. */
  readonly time: number;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly route: EmulatorRoute | "control" | "unknown";
  /** HTTP status sent; 0 when no response was sent (reset, hang, client gone). */
  readonly status: number;
  /** True when a token, secret or code arrived in the query string. */
  readonly secretsInUrl: boolean;
}

/** A log entry whose status is filled in once the response is sent. */
export type PendingLogEntry = { -readonly [K in keyof LoggedRequest]: LoggedRequest[K] };

/** The most entries kept; older ones are dropped first. */
export const REQUEST_LOG_CAP = 10_000;

/** Builds the masked log entry for a request (status 0 until a response is sent). */
export const describeRequest = (
  req: IncomingMessage,
  url: URL,
  body: string,
  route: LoggedRequest["route"],
  time: number,
  knownSecrets: Iterable<string>,
): PendingLogEntry => {
  const querySecrets = paramSecrets(url.searchParams);
  const secrets = [...knownSecrets, ...querySecrets, ...bodySecrets(body)];
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = isSecretName(name) && value !== "" ? maskSecret(value) : maskText(value, secrets);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    const text = Array.isArray(value) ? value.join(", ") : (value ?? "");
    headers[name] = maskHeader(name, text, secrets);
  }
  const rawQuery = url.search;
  const secretsInUrl =
    querySecrets.some((value) => value !== "") ||
    new RegExp(MIRO_TOKEN_PATTERN.source).test(rawQuery) ||
    maskText(rawQuery, knownSecrets) !== rawQuery;
  return {
    time,
    method: req.method ?? "GET",
    path: maskText(url.pathname, secrets),
    query,
    headers,
    body: maskText(body, secrets),
    route,
    status: 0,
    secretsInUrl,
  };
};

/** A capped, append-only list of masked requests. */
export class RequestLog {
  #entries: Array<PendingLogEntry> = [];

  /** Appends an entry (kept by reference so its status can be filled in later). */
  add(entry: PendingLogEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length > REQUEST_LOG_CAP)
      this.#entries.splice(0, this.#entries.length - REQUEST_LOG_CAP);
  }

  /** Snapshots of every entry, oldest first. */
  list(): ReadonlyArray<LoggedRequest> {
    return this.#entries.map((entry) => Object.freeze({ ...entry }));
  }

  /** Forgets every entry. */
  clear(): void {
    this.#entries = [];
  }
}
