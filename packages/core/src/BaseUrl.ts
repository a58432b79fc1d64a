/**
 * The one rule for a Miro base URL, used by core before any request and by both apps when they
 * read `--base-url`: tokens, refresh tokens and the client secret must travel over TLS
 * (RFC 6750 section 5.3, RFC 6749 section 3.2). So:
 *
 * - only `https:` and `http:`; no query, no fragment (a path appended to `…#x` would vanish);
 * - no credentials (`http://user:pass@host`): refused, and never quoted back;
 * - `http:` only for a loopback host (`127.0.0.0/8`, `::1`, `localhost`), unless the caller
 *   opts in with `allowInsecureHttp` (the result then says `insecure: true`, so the caller
 *   warns).
 *
 * The check is pure string parsing (WHATWG `URL`): it runs before any DNS lookup or connection.
 * No message ever quotes the input (a URL may carry a password).
 *
 * @since 0.1.0
 */
import { Result } from "effect";

/**
 * A base URL that passed the rule.
 *
 * @category models
 * @since 0.1.0
 */
export interface CheckedBaseUrl {
  /** The URL without a trailing slash, ready for `${url}/v1/...`. */
  readonly url: string;
  /** `http:` to a non-loopback host, allowed only by `allowInsecureHttp`: warn about it. */
  readonly insecure: boolean;
}

/**
 * Why a base URL was refused (a sentence that never quotes the URL).
 *
 * @category models
 * @since 0.1.0
 */
export interface BaseUrlProblem {
  readonly kind: "unreadable" | "scheme" | "query" | "credentials" | "insecure-http";
  readonly reason: string;
}

/**
 * Whether a URL host (as `URL.hostname` spells it) is loopback: `localhost`, any `127.x.y.z`,
 * or `[::1]`. The WHATWG parser has already normalised `127.1`, `0x7f.0.0.1` and `[0:0::1]`.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isLoopbackHost = (hostname: string): boolean => {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host === "[::1]" || host === "::1") return true;
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return octets !== null && octets[1] === "127" && octets.slice(2).every((o) => Number(o) <= 255);
};

/**
 * Options of {@link checkBaseUrl}.
 *
 * @category models
 * @since 0.1.0
 */
export interface BaseUrlOptions {
  /** Allow `http:` to a non-loopback host (secrets then travel in clear). @default false */
  readonly allowInsecureHttp?: boolean | undefined;
}

const problem = (kind: BaseUrlProblem["kind"], reason: string) =>
  Result.fail<BaseUrlProblem>({ kind, reason });

/**
 * Check a base URL against the rule; never throws, never quotes the input.
 *
 * @category validation
 * @since 0.1.0
 */
export const checkBaseUrl = (
  text: string,
  options: BaseUrlOptions = {},
): Result.Result<CheckedBaseUrl, BaseUrlProblem> => {
  const url = URL.parse(text);
  if (url === null)
    return problem("unreadable", "must be an http(s) URL such as https://api.miro.com");
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return problem("scheme", "must be an http(s) URL such as https://api.miro.com");
  if (url.username !== "" || url.password !== "")
    return problem(
      "credentials",
      "must not carry credentials (user:password@): they would be sent to every request's host and shown in logs",
    );
  if (url.search !== "" || url.hash !== "" || text.includes("?") || text.includes("#"))
    return problem("query", "must not carry a query string or a fragment");
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol === "http:" && !loopback && options.allowInsecureHttp !== true)
    return problem(
      "insecure-http",
      "must use https: plain http: is allowed only for a loopback host (127.0.0.0/8, ::1, localhost), because tokens and the client secret would travel in clear; allow it explicitly with allowInsecureHttp (--allow-insecure-http)",
    );
  return Result.succeed({
    url: url.href.replace(/\/+$/, ""),
    insecure: url.protocol === "http:" && !loopback,
  });
};

/**
 * The warning to print when {@link CheckedBaseUrl.insecure} is set.
 *
 * @category constants
 * @since 0.1.0
 */
export const INSECURE_HTTP_WARNING =
  "plain http: to a non-loopback host was allowed (--allow-insecure-http): tokens and the client secret travel in clear";
