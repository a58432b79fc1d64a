/**
 * Hostile responses for the transport suite's property test: a generator of raw HTTP responses
 * (any status, odd and framing-breaking headers, binary, text and over-cap bodies, five
 * framings from well-formed to garbage), their byte encoding, and what an adapter may make of
 * each — a response or a leak-free `TransportError`, never a defect, and over-cap bodies of a
 * well-framed response always `BodyTooLarge`.
 */
import { expect } from "@effect/vitest";
import { TransportError, type TransportResponse } from "@miro-token/core";
import { Cause, Exit } from "effect";
import fc from "fast-check";
import { expectNoLeak } from "../LeakAssertion.ts";
import { CAP, secrets } from "./Requests.ts";

/** One generated response: status line, headers, body and how the body is framed. */
export interface HostileResponse {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Uint8Array;
  readonly framing: "content-length" | "chunked" | "close" | "short" | "garbage";
}

const FRAMING_HEADERS = new Set(["content-length", "transfer-encoding", "connection"]);

/** Generates hostile responses, over-cap bodies included. */
export const hostileResponse: fc.Arbitrary<HostileResponse> = fc.record({
  status: fc.integer({ min: 200, max: 599 }),
  headers: fc.array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          "x-a",
          "X-A",
          "set-cookie",
          "retry-after",
          "content-type",
          "content-length",
        ),
        fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
      ),
      fc.stringMatching(/^[\x20-\x7e\x80-\xff]{0,60}$/),
    ),
    { maxLength: 8 },
  ),
  body: fc.oneof(
    fc.constant(new Uint8Array(0)),
    fc.uint8Array({ maxLength: 4096 }),
    fc.string({ unit: "grapheme", maxLength: 200 }).map((text) => Buffer.from(text)),
    fc.integer({ min: CAP + 1, max: 3 * CAP }).map((size) => new Uint8Array(size).fill(0x7b)),
  ),
  framing: fc.constantFrom("content-length", "chunked", "close", "short", "garbage"),
});

/** The bytes a raw server writes for `response`. */
export const encode = (response: HostileResponse): Buffer => {
  if (response.framing === "garbage")
    return Buffer.concat([Buffer.from("\x00\xffHTTP"), response.body]);
  const lines = [`HTTP/1.1 ${response.status} Hostile`, "connection: close"];
  for (const [name, value] of response.headers) lines.push(`${name}: ${value}`);
  const length = response.body.length;
  if (response.framing === "content-length") lines.push(`content-length: ${length}`);
  if (response.framing === "short") lines.push(`content-length: ${length + 10}`);
  if (response.framing === "chunked") lines.push("transfer-encoding: chunked");
  const head = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
  if (response.framing !== "chunked") return Buffer.concat([head, response.body]);
  const chunk =
    length === 0
      ? []
      : [Buffer.from(`${length.toString(16)}\r\n`), response.body, Buffer.from("\r\n")];
  return Buffer.concat([head, ...chunk, Buffer.from("0\r\n\r\n")]);
};

/** Fails the test unless `exit` is an outcome an adapter may give for `response`. */
export const checkHostileOutcome = (
  response: HostileResponse,
  exit: Exit.Exit<TransportResponse, TransportError>,
): void => {
  if (Exit.isFailure(exit)) {
    expect(Cause.hasDies(exit.cause)).toBe(false);
    expect(Cause.hasInterrupts(exit.cause)).toBe(false);
    const error = Cause.squash(exit.cause);
    expect(error).toBeInstanceOf(TransportError);
    expectNoLeak(error, secrets);
  }
  const wellFormed =
    response.framing !== "garbage" &&
    response.framing !== "short" &&
    response.headers.every(([name]) => !FRAMING_HEADERS.has(name.toLowerCase()));
  if (wellFormed && response.body.length > CAP) {
    expect(Exit.isFailure(exit) && Cause.squash(exit.cause)).toMatchObject({
      kind: "BodyTooLarge",
    });
  }
  if (Exit.isSuccess(exit)) {
    expect(exit.value.status).toBe(response.status);
    expect(Buffer.byteLength(exit.value.body)).toBeLessThanOrEqual(3 * CAP);
  }
};
