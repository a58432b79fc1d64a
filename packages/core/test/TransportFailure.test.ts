// Classification keeps a code and drops everything else an error carries.
import { describe, expect, it } from "@effect/vitest";
import { RequestCheck, TransportFailure, type TransportRequest } from "../src/index.ts";

const SECRET = "SECRETsecretSECRET";
const request: TransportRequest = {
  method: "POST",
  url: `https://api.miro.com/v1/oauth/revoke?access_token=${SECRET}`,
  headers: { authorization: `Bearer ${SECRET}` },
  maxBodyBytes: 1024,
};

const withCause = (message: string, cause: unknown) =>
  Object.assign(new TypeError(message), { cause });

describe("TransportFailure.fromCause", () => {
  it("finds the code down the cause chain and inside an AggregateError", () => {
    const refused = new AggregateError([
      Object.assign(new Error(`connect ${SECRET}`), { code: "ECONNREFUSED" }),
    ]);
    const error = TransportFailure.fromCause(withCause(`fetch failed ${SECRET}`, refused), request);
    expect([error.kind, error.reason, error.method]).toEqual(["Network", "ECONNREFUSED", "POST"]);
    expect(error.endpoint).toBe("https://api.miro.com/v1/oauth/revoke");
    expect(JSON.stringify(error) + error.message + String(error.stack)).not.toContain(SECRET);
  });

  it("never takes a message-shaped code, and falls back to the class name", () => {
    const error = TransportFailure.fromCause(
      Object.assign(new RangeError(SECRET), { code: `Bearer ${SECRET}` }),
      request,
    );
    expect(error.reason).toBe("RangeError");
    expect(TransportFailure.fromCause({ name: `${SECRET.toLowerCase()} x` }, request).reason).toBe(
      "UNKNOWN",
    );
  });

  it("names the most specific error class when there is no code", () => {
    const parser = Object.assign(new Error(SECRET), { name: "HTTPParserError", data: SECRET });
    expect(TransportFailure.fromCause(withCause("fetch failed", parser), request).reason).toBe(
      "HTTPParserError",
    );
    expect(TransportFailure.fromCause(new TypeError(SECRET), request).reason).toBe("TypeError");
  });

  it("reports an abort as Aborted, and survives a cyclic cause", () => {
    const cyclic: { cause?: unknown; code?: string } = {};
    cyclic.cause = cyclic;
    expect(TransportFailure.fromCause(new DOMException("x", "AbortError"), request).kind).toBe(
      "Aborted",
    );
    expect(TransportFailure.fromCause(cyclic, request).reason).toBe("UNKNOWN");
  });
});

describe("RequestCheck.invalidRequestReason", () => {
  it("accepts a plain request and names what is wrong with a bad one", () => {
    expect(RequestCheck.invalidRequestReason(request)).toBeUndefined();
    expect(RequestCheck.invalidRequestReason({ ...request, url: "ftp://x/" })).toBe("INVALID_URL");
    expect(RequestCheck.invalidRequestReason({ ...request, headers: { "x y": "1" } })).toBe(
      "INVALID_HEADER_NAME",
    );
    expect(
      RequestCheck.invalidRequestReason({ ...request, headers: { a: "tab\tand latin1 é" } }),
    ).toBeUndefined();
    expect(RequestCheck.invalidRequestReason({ ...request, method: "GET", body: "x" })).toBe(
      "GET_WITH_BODY",
    );
  });
});
