/**
 * Who may talk to the watcher's HTTP surface. Two checks, both before any route runs:
 *
 * - **Host allow-list** (DNS rebinding): a web page on `evil.example` whose name is re-pointed
 *   at 127.0.0.1 reaches the watcher from the victim's browser, but its requests still carry
 *   `Host: evil.example`. Only loopback names (`localhost`, `127.0.0.0/8`, `[::1]`, core's
 *   `isLoopbackHost`), the bound address and the `--allowed-host` names are answered; any other
 *   Host gets 421 Misdirected Request.
 * - **Access token** (`--http-token-file`): required when the watcher listens beyond loopback,
 *   optional otherwise. Sent as `Authorization: Bearer <token>`, compared in constant time
 *   (SHA-256 digests of equal length, `crypto.timingSafeEqual`). Never accepted in a URL.
 *
 * `/healthz` (no token data) is exempt from both, so load balancers and orchestrators can probe
 * by IP; `/` (the status page's static shell, no data) is exempt from the token only, since a
 * browser navigation cannot send a header: the page asks for the token and sends it itself.
 *
 * @since 0.1.0
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { isLoopbackHost } from "@miro-token/core";
import { Redacted, Result } from "effect";

/**
 * Access settings of the HTTP surface.
 *
 * @category models
 * @since 0.1.0
 */
export interface HttpAccess {
  /** Host names (without port) answered besides loopback names and the bound address. */
  readonly allowedHosts?: ReadonlyArray<string> | undefined;
  /** The access token every route but `/healthz` and `/` requires, when set. */
  readonly token?: Redacted.Redacted<string> | undefined;
}

/**
 * What a request may do.
 *
 * @category models
 * @since 0.1.0
 */
export type AccessVerdict = "ok" | "misdirected" | "unauthorized";

/**
 * Whether an address listens only on loopback (so no access token is required).
 *
 * @category predicates
 * @since 0.1.0
 */
export const isLoopbackBind = (host: string): boolean =>
  isLoopbackHost(host.includes(":") && !host.startsWith("[") ? `[${host}]` : host);

/** A host name as compared: lower case, no trailing dot, IPv6 in brackets. */
const normalizeHost = (host: string): string => {
  const lower = host.trim().toLowerCase().replace(/\.$/, "");
  return lower.includes(":") && !lower.startsWith("[") ? `[${lower}]` : lower;
};

/** The host part of a `Host` header (`name`, `name:port`, `[v6]:port`), or undefined. */
const hostOfHeader = (header: string | undefined): string | undefined => {
  if (header === undefined || header === "") return undefined;
  const url = URL.parse(`http://${header}/`);
  return url === null || url.username !== "" || url.pathname !== "/" ? undefined : url.hostname;
};

const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

/**
 * The request checker for a server bound to `boundHost`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeAccessCheck = (boundHost: string, access: HttpAccess = {}) => {
  const allowed = new Set(
    [boundHost, ...(access.allowedHosts ?? [])]
      .filter((h) => h !== "0.0.0.0" && h !== "::" && h !== "[::]")
      .map(normalizeHost),
  );
  const expected = access.token === undefined ? undefined : digest(Redacted.value(access.token));
  const hostAllowed = (header: string | undefined): boolean => {
    const host = hostOfHeader(header);
    return host !== undefined && (isLoopbackHost(host) || allowed.has(normalizeHost(host)));
  };
  const authorized = (header: string | undefined): boolean => {
    if (expected === undefined) return true;
    const match = /^Bearer ([\x21-\x7e]+)$/.exec(header ?? "");
    // Always compare (a digest of "" when absent), so timing does not reveal what was wrong.
    return timingSafeEqual(digest(match?.[1] ?? ""), expected) && match !== null;
  };
  return {
    /** Whether a token is required on the data routes. */
    tokenRequired: expected !== undefined,
    /** The verdict for a request to `path` with these headers. */
    check: (
      path: string,
      headers: { readonly host?: string | undefined; readonly authorization?: string | undefined },
    ): AccessVerdict => {
      if (path === "/healthz") return "ok";
      if (!hostAllowed(headers.host)) return "misdirected";
      if (path === "/") return "ok";
      return authorized(headers.authorization) ? "ok" : "unauthorized";
    },
  };
};

/**
 * Why a server cannot start with these settings, or `undefined`: beyond loopback, an access
 * token is required.
 *
 * @category validation
 * @since 0.1.0
 */
export const accessProblem = (host: string, access: HttpAccess = {}): string | undefined =>
  isLoopbackBind(host) || access.token !== undefined
    ? undefined
    : `listening on ${host} (beyond loopback) needs an access token: --http-token-file <file> (or MIRO_WATCHER_HTTP_TOKEN_FILE)`;

/**
 * The access token from its file's text (read by the shared bounded reader): one line of 16 to
 * 1024 printable ASCII characters without spaces, one trailing line break stripped. The
 * failure is a phrase that never quotes the text.
 *
 * @category parsing
 * @since 0.1.0
 */
export const accessTokenFromText = (
  text: string,
): Result.Result<Redacted.Redacted<string>, string> => {
  const token = text.replace(/\r?\n$/, "");
  return /^[\x21-\x7e]{16,1024}$/.test(token)
    ? Result.succeed(Redacted.make(token))
    : Result.fail(
        "must hold the access token on one line: 16 to 1024 printable ASCII characters, no spaces",
      );
};
