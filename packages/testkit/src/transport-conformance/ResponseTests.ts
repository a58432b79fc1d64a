/**
 * What an adapter must pass through unchanged from the fault server: status, headers (lower-
 * cased, repeated ones joined) and body of ordinary responses, redirects not followed, request
 * bodies sent intact, and invalid UTF-8 decoded with replacement characters.
 */
import { expect } from "@effect/vitest";
import { Effect } from "effect";
import { INVALID_UTF8 } from "./FaultRoutes.ts";
import { FaultServer, type FaultServerIt } from "./FaultServer.ts";
import { canaries, post, request, send } from "./Requests.ts";

/** Registers the round-trip tests. */
export const responseTests = (it: FaultServerIt): void => {
  it.effect("round-trips status, headers and body of a 200", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer;
      const response = yield* send(
        request(`${server.baseUrl}/echo`, {
          headers: { authorization: `Bearer ${canaries.accessToken}`, "x-custom": "Value 1" },
        }),
      );
      expect(response.status).toBe(200);
      expect(response.headers["content-type"]).toBe("application/json");
      const echoed = JSON.parse(response.body);
      expect(echoed.method).toBe("GET");
      expect(echoed.headers["x-custom"]).toBe("Value 1");
      expect(echoed.headers.authorization).toBe(`Bearer ${canaries.accessToken}`);
    }),
  );

  it.effect("returns a 500 and a 404 as normal responses", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer;
      const failed = yield* send(request(`${server.baseUrl}/status/500`));
      expect([failed.status, failed.body, failed.headers["x-status"]]).toEqual([
        500,
        "status 500",
        "500",
      ]);
      const missing = yield* send(request(`${server.baseUrl}/status/404`));
      expect(missing.status).toBe(404);
    }),
  );

  it.effect("returns a 204 with an empty body", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer;
      const response = yield* send(request(`${server.baseUrl}/status/204`));
      expect([response.status, response.body]).toEqual([204, ""]);
    }),
  );

  it.effect("lower-cases header names and joins repeated headers with ', '", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer;
      const { headers } = yield* send(request(`${server.baseUrl}/headers`));
      expect(headers["x-multi"]).toBe("a, b");
      expect(headers["set-cookie"]).toBe("one=1, two=2");
      expect(headers["retry-after"]).toBe("1, 2");
      expect(headers["x-mixed-case"]).toBe("Value");
      expect(Object.keys(headers).every((key) => key === key.toLowerCase())).toBe(true);
    }),
  );

  it.effect("returns a redirect as it is, without following it", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer;
      const response = yield* send(request(`${server.baseUrl}/redirect`));
      expect([response.status, response.headers.location]).toEqual([302, "/echo"]);
    }),
  );

  it.effect("sends a form body and a JSON body intact", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer;
      const form = `grant_type=refresh_token&refresh_token=${canaries.refreshToken}&x=%C3%BC`;
      const formResponse = yield* send(
        post(`${server.baseUrl}/echo`, "application/x-www-form-urlencoded", form),
      );
      const formEcho = JSON.parse(formResponse.body);
      expect([formEcho.method, formEcho.body]).toEqual(["POST", form]);
      expect(formEcho.headers["content-type"]).toBe("application/x-www-form-urlencoded");
      const json = JSON.stringify({ token: canaries.accessToken, note: "ü € 𝄞" });
      const jsonResponse = yield* send(post(`${server.baseUrl}/echo`, "application/json", json));
      const jsonEcho = JSON.parse(jsonResponse.body);
      expect(jsonEcho.body).toBe(json);
      expect(jsonEcho.headers["content-length"]).toBe(String(Buffer.byteLength(json)));
    }),
  );

  it.effect("decodes invalid UTF-8 with replacement characters", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer;
      const response = yield* send(request(`${server.baseUrl}/invalid-utf8`));
      expect(response.body).toBe(new TextDecoder().decode(INVALID_UTF8));
      expect(response.body).toContain("\uFFFD");
      expect(response.body.startsWith("hi")).toBe(true);
    }),
  );

  it.effect("decodes a character split across body chunks", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer;
      const response = yield* send(request(`${server.baseUrl}/split-utf8`));
      expect(response.body).toBe("price: 10 €");
    }),
  );
};
