/**
 * The requests the transport suite sends and the checks it makes of their failures. Every
 * request carries this run's canary secrets — in the authorization header and, as a hostile
 * caller might, in the query — so any error that echoes a header or the URL is caught.
 */
import { expect } from "@effect/vitest";
import { HttpTransport, TransportError, type TransportRequest } from "@miro-token/core";
import { Effect } from "effect";
import { makeCanaries } from "../Canary.ts";
import { expectNoLeak } from "../LeakAssertion.ts";
import type { FaultServer } from "./FaultServer.ts";

/** One mebibyte. */
export const MiB = 1024 * 1024;

/** The body cap every suite request sets (`maxBodyBytes`). */
export const CAP = MiB;

/** This run's canary secrets. */
export const canaries = makeCanaries();

/** Every canary secret of this run, for leak checks. */
export const secrets = [canaries.accessToken, canaries.refreshToken, canaries.clientSecret];

let unique = 0;

/** A fault server path of `kind` no other test uses, so its socket events are this test's. */
export const uniquePath = (kind: string, arg = ""): string =>
  `/${kind}/${arg}${arg === "" ? "" : "-"}${++unique}`;

/** A request carrying a canary in the header and, as a hostile caller might, in the query. */
export const request = (
  url: string,
  overrides: Partial<TransportRequest> = {},
): TransportRequest => ({
  method: "GET",
  url: `${url}?access_token=${canaries.refreshToken}&client_secret=${canaries.clientSecret}`,
  headers: { authorization: `Bearer ${canaries.accessToken}`, accept: "application/json" },
  maxBodyBytes: CAP,
  ...overrides,
});

/** A POST of `body` as `contentType` to `url` (no canaries added: the body is the test's). */
export const post = (url: string, contentType: string, body: string): TransportRequest => ({
  method: "POST",
  url,
  headers: { "content-type": contentType },
  body,
  maxBodyBytes: CAP,
});

/** Sends `req` through the transport under test. */
export const send = (req: TransportRequest) =>
  HttpTransport.use((transport) => transport.send(req));

/** Fails the test unless `req` fails with a leak-free `TransportError` of `kind`. */
export const expectTransportError = (req: TransportRequest, kind: TransportError["kind"]) =>
  Effect.gen(function* () {
    const error = yield* Effect.flip(send(req));
    expect(error).toBeInstanceOf(TransportError);
    expect(error.kind).toBe(kind);
    expect(error.reason).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
    expect(error.endpoint).not.toContain("?");
    expectNoLeak(error, secrets);
    return error;
  });

/** Waits (at most 2 s) until the fault server saw the socket that served `path` close. */
export const waitClosed = (server: FaultServer["Service"], path: string) =>
  Effect.promise(() => server.closed(path)).pipe(
    Effect.timeoutOrElse({
      duration: "2 seconds",
      orElse: () => Effect.die(new Error(`the server never saw ${path}'s socket close`)),
    }),
  );
