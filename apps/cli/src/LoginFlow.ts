/**
 * The OAuth authorization-code flow for `miro-token login`, on a loopback redirect URI
 * (RFC 8252): listen on `http://127.0.0.1:<port>/callback`, print the authorize URL (and on a
 * desktop open it in the browser), wait for Miro to redirect back, check `state` (a random
 * 256-bit value, compared in constant time), and exchange the code for a token set with the
 * client credentials. The code never appears in output; the callback page says only whether
 * it worked.
 */
import { spawn } from "node:child_process";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type MiroTokenError, TokenClient, type TokenSet } from "@miro-token/core";
import { errnoCode } from "@miro-token/store-file/files";
import { Context, Deferred, Duration, Effect, Redacted, type Scope } from "effect";
import { LoginError, UsageError } from "./Failure.ts";

/** Opens a URL for the user (a browser on a desktop); reports whether it did. */
export const UrlOpener = Context.Reference<{
  readonly open: (url: string) => Effect.Effect<boolean>;
}>("@miro-token/cli/UrlOpener", { defaultValue: () => ({ open: openInBrowser }) });

/** The desktop's "open this URL" command, when there is a desktop. */
export const browserCommand = (
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
): ReadonlyArray<string> | undefined => {
  if (platform === "darwin") return ["open"];
  if (platform === "win32") return ["cmd", "/c", "start", '""'];
  return env.DISPLAY || env.WAYLAND_DISPLAY ? ["xdg-open"] : undefined;
};

/** Open `url` in the desktop's browser, detached; `false` when there is no desktop. */
export const openInBrowser = (url: string): Effect.Effect<boolean> =>
  Effect.sync(() => {
    const command = browserCommand(process.platform, process.env);
    if (command === undefined || command[0] === undefined) return false;
    try {
      const child = spawn(command[0], [...command.slice(1), url], {
        detached: true,
        stdio: "ignore",
      });
      child.on("error", () => undefined);
      child.unref();
      return true;
    } catch {
      return false;
    }
  });

/** Options of the flow. */
export interface LoginOptions {
  readonly clientId: string;
  /** Miro's authorize endpoint, e.g. `https://miro.com/oauth/authorize`. */
  readonly authorizeUrl: string;
  /** Loopback port for the redirect URI; 0 picks a free one (the app must accept any port). */
  readonly port: number;
  readonly scopes: ReadonlyArray<string>;
  readonly timeout: Duration.Duration;
  readonly open: boolean;
  /** Told the URL to show the user. */
  readonly onAuthorizeUrl: (url: string) => Effect.Effect<void>;
}

/** The authorize endpoint for an API base URL: Miro's on miro.com, else the same origin. */
export const defaultAuthorizeUrl = (baseUrl: string): string =>
  /^https:\/\/api\.miro\.com$/.test(baseUrl)
    ? "https://miro.com/oauth/authorize"
    : `${baseUrl}/oauth/authorize`;

const sameSecret = (expected: string, actual: string): boolean => {
  const a = Buffer.from(expected);
  const b = Buffer.from(actual);
  return a.length === b.length && timingSafeEqual(a, b);
};

const page = (response: ServerResponse, status: number, text: string): void => {
  response.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
  });
  response.end(`<!doctype html><title>miro-token login</title><p>${text}</p>`);
};

type Outcome = { readonly code: string } | { readonly error: LoginError };

const listen = (
  onRequest: (request: IncomingMessage, response: ServerResponse) => void,
  port: number,
) =>
  Effect.acquireRelease(
    Effect.callback<ReturnType<typeof createServer>, UsageError>((resume) => {
      const server = createServer(onRequest);
      server.once("error", (error: NodeJS.ErrnoException) =>
        resume(
          Effect.fail(
            new UsageError({
              reason: `cannot listen on 127.0.0.1:${port} (${errnoCode(error) ?? "error"})`,
            }),
          ),
        ),
      );
      server.listen(port, "127.0.0.1", () => resume(Effect.succeed(server)));
    }),
    (server) =>
      Effect.callback<void>((resume) => {
        server.closeAllConnections();
        server.close(() => resume(Effect.void));
      }),
  );

/** Run the flow: the token set Miro issued for the user's authorization. */
export const authorizationCodeFlow = (
  options: LoginOptions,
): Effect.Effect<
  { readonly tokenSet: TokenSet; readonly redirectUri: string },
  LoginError | UsageError | MiroTokenError,
  TokenClient | Scope.Scope
> =>
  Effect.gen(function* () {
    const state = randomBytes(32).toString("base64url");
    const outcome = yield* Deferred.make<Outcome>();
    const settle = (value: Outcome) => Deferred.doneUnsafe(outcome, Effect.succeed(value));
    const server = yield* listen((request, response) => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      if (url.pathname !== "/callback") return page(response, 404, "Not found.");
      const error = url.searchParams.get("error");
      const code = url.searchParams.get("code");
      if (!sameSecret(state, url.searchParams.get("state") ?? "")) {
        page(
          response,
          400,
          "This sign-in link does not match the one miro-token started. Close this tab and run miro-token login again.",
        );
        return settle({
          error: new LoginError({
            reason:
              "the redirect's state does not match (a forged or stale callback); nothing was exchanged",
          }),
        });
      }
      if (error !== null || code === null || code === "") {
        page(response, 400, "Miro did not authorize the app. You can close this tab.");
        const known = error !== null && /^[a-z_]{1,64}$/.test(error) ? ` (${error})` : "";
        return settle({
          error: new LoginError({ reason: `Miro did not authorize the app${known}` }),
        });
      }
      page(response, 200, "miro-token is signed in. You can close this tab.");
      settle({ code });
    }, options.port);
    const port = (server.address() as AddressInfo).port;
    const redirectUri = `http://127.0.0.1:${port}/callback`;
    const authorize = new URL(options.authorizeUrl);
    authorize.searchParams.set("response_type", "code");
    authorize.searchParams.set("client_id", options.clientId);
    authorize.searchParams.set("redirect_uri", redirectUri);
    authorize.searchParams.set("state", state);
    if (options.scopes.length > 0) authorize.searchParams.set("scope", options.scopes.join(" "));
    yield* options.onAuthorizeUrl(authorize.href);
    if (options.open) yield* (yield* UrlOpener).open(authorize.href);
    const result = yield* Deferred.await(outcome).pipe(
      Effect.timeoutOrElse({
        duration: options.timeout,
        orElse: () =>
          Effect.fail(
            new LoginError({
              reason: `nobody completed the sign-in within ${Duration.format(options.timeout)}`,
            }),
          ),
      }),
    );
    if ("error" in result) return yield* result.error;
    const tokenSet = yield* TokenClient.exchangeCode(Redacted.make(result.code), redirectUri);
    return { tokenSet, redirectUri };
  });
