/**
 * Miro's documented contract for the token endpoints, written down in the project so a test can
 * hold the emulator to it (the research copy outside the repository is never read at test
 * time). Sources, by the tags of the research notes: AC-spec (the OpenAPI spec the official
 * clients are generated from: token info 200/400, v1 revoke 204/400, v2 revoke 204/404 with
 * `ErrorResponse`), D-trbl (token endpoint 401 `oauthError`), D-refresh / D-exch (token
 * endpoint 200 body), D-rl1 / AE-rl (`X-RateLimit-*` on every response, the 429 body with
 * `context: null`). Undocumented answers are allowed only where a variant declares them.
 */
import type { Variants } from "../../src/index.ts";

/** A tiny JSON schema: enough for Miro's flat bodies. */
export type Schema =
  | { readonly type: "string" | "integer" | "null"; readonly const?: unknown }
  | { readonly type: "array"; readonly items: Schema }
  | {
      readonly type: "object";
      readonly properties: Readonly<Record<string, Schema>>;
      readonly required: ReadonlyArray<string>;
    };

const str: Schema = { type: "string" };
const int: Schema = { type: "integer" };
const object = (properties: Record<string, Schema>, required: ReadonlyArray<string>): Schema => ({
  type: "object",
  properties,
  required,
});
const info = object({ type: str, name: str, id: str }, ["type", "name", "id"]);

/** AC-spec `TokenInformation` (200 of `GET /v1/oauth-token`). */
export const TOKEN_INFORMATION = object(
  {
    type: str,
    organization: info,
    team: info,
    createdBy: info,
    user: info,
    scopes: { type: "array", items: str },
  },
  ["type", "organization", "team", "createdBy", "user"],
);

/** AC-spec `ErrorResponse` / `BasicError` (v2 revoke 404, Miro's common error body). */
export const ERROR_RESPONSE = object(
  { status: int, code: str, message: str, type: { type: "string", const: "error" } },
  ["status", "code", "message", "type"],
);

/** AC-spec `Error`: `message` and `type` required, `code` optional. */
export const ERROR = object(
  { status: int, code: str, message: str, type: { type: "string", const: "error" } },
  ["message", "type"],
);

/** D-rl1: the 429 body, verbatim. */
export const RATE_LIMITED = object(
  {
    status: { type: "integer", const: 429 },
    code: { type: "string", const: "tooManyRequests" },
    message: { type: "string", const: "Request rate limit exceed" },
    context: { type: "null" },
    type: { type: "string", const: "error" },
  },
  ["status", "code", "message", "context", "type"],
);

/** D-refresh example and the official client's `TokenResponse` (team_id: a bare number). */
export const TOKEN_RESPONSE = object(
  {
    access_token: str,
    refresh_token: str,
    token_type: { type: "string", const: "bearer" },
    scope: str,
    expires_in: int,
    user_id: str,
    team_id: int,
  },
  ["access_token", "token_type", "scope", "team_id"],
);

/** D-trbl: the documented token-endpoint error. */
export const OAUTH_ERROR = object(
  {
    status: { type: "integer", const: 401 },
    code: { type: "string", const: "oauthError" },
    message: str,
    type: { type: "string", const: "error" },
  },
  ["status", "code", "message", "type"],
);

/** What a response may be: its body (undefined: no body at all). */
export type Answer = { readonly body: Schema | undefined };

/** The routes the contract covers. */
export type ContractRoute = "token-info" | "revoke-v1" | "revoke-v2" | "token";

/** Every documented answer of a route, by status; 429 is documented for every route. */
const DOCUMENTED: Readonly<Record<ContractRoute, Readonly<Record<number, Answer>>>> = {
  "token-info": { 200: { body: TOKEN_INFORMATION }, 400: { body: undefined } },
  "revoke-v1": { 204: { body: undefined }, 400: { body: undefined } },
  "revoke-v2": { 204: { body: undefined }, 404: { body: ERROR_RESPONSE } },
  token: { 200: { body: TOKEN_RESPONSE }, 401: { body: OAUTH_ERROR } },
};

/**
 * The answers a route may give under `variants`: the documented ones, narrowed or widened only
 * as each variant declares (its README entry says where the alternative comes from).
 */
export const allowedAnswers = (
  route: ContractRoute,
  variants: Variants,
): Readonly<Record<number, ReadonlyArray<Answer>>> => {
  const out: Record<number, Array<Answer>> = { 429: [{ body: RATE_LIMITED }] };
  for (const [status, answer] of Object.entries(DOCUMENTED[route])) out[Number(status)] = [answer];
  const add = (status: number, body: Schema | undefined) => {
    out[status] = [...(out[status] ?? []), { body }];
  };
  if (route === "token-info") {
    const [status, shape] = variants.tokenInfoFailure.split(/-(.*)/s) as [string, string];
    const body = shape === "bare" ? undefined : shape === "no-code" ? ERROR : ERROR_RESPONSE;
    out[400] = [];
    add(Number(status), body);
    // The `codes` variants answer a request carrying no token 401 `tokenNotProvided` (Error401).
    if (shape === "codes") add(401, ERROR_RESPONSE);
  }
  if (route === "revoke-v1" && variants.v1RevokeFailure === "400-body") add(400, ERROR_RESPONSE);
  if (route === "revoke-v2" && variants.v2RevokeFailure === "400-401-404") {
    add(400, ERROR_RESPONSE);
    add(401, ERROR_RESPONSE);
  }
  if (route === "token" && variants.tokenFailure !== "401") add(400, ERROR_RESPONSE);
  return out;
};

/** Problems with `value` against `schema`; [] when it conforms. */
export const schemaProblems = (schema: Schema, value: unknown, at = "body"): Array<string> => {
  switch (schema.type) {
    case "null":
      return value === null ? [] : [`${at} is not null`];
    case "string":
    case "integer": {
      const ok = schema.type === "string" ? typeof value === "string" : Number.isInteger(value);
      if (!ok) return [`${at} is not a ${schema.type}`];
      return schema.const === undefined || schema.const === value
        ? []
        : [`${at} is not ${JSON.stringify(schema.const)}`];
    }
    case "array":
      return Array.isArray(value)
        ? value.flatMap((item, i) => schemaProblems(schema.items, item, `${at}[${i}]`))
        : [`${at} is not an array`];
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return [`${at} is not an object`];
      }
      const record = value as Record<string, unknown>;
      return [
        ...schema.required.filter((name) => !(name in record)).map((n) => `${at}.${n} missing`),
        ...Object.entries(schema.properties).flatMap(([name, inner]) =>
          name in record ? schemaProblems(inner, record[name], `${at}.${name}`) : [],
        ),
      ];
    }
  }
};

/** A response as the contract test saw it; `text` is the raw body. */
export interface SeenResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** Parses JSON keeping big integers as integers (team_id > 2^53 is still an integer). */
const parse = (text: string): unknown => JSON.parse(text);

/**
 * Problems with one response of `route` under `variants`: an undeclared status, a body that
 * matches none of the allowed schemas, a missing `X-RateLimit-*` header (D-rl1: on every
 * response), or a `Retry-After` the variant does not send.
 */
export const contractProblems = (
  route: ContractRoute,
  variants: Variants,
  response: SeenResponse,
): Array<string> => {
  const problems: Array<string> = [];
  for (const name of ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"]) {
    if (!/^[0-9]+$/.test(response.headers.get(name) ?? "")) problems.push(`${name} missing`);
  }
  const retryAfter = response.headers.get("retry-after");
  if (retryAfter !== null && !(response.status === 429 && variants.retryAfter === "present")) {
    problems.push("Retry-After not declared by the variant");
  }
  if (response.status === 429 && variants.retryAfter === "present" && retryAfter === null) {
    problems.push("Retry-After missing under retryAfter=present");
  }
  const answers = allowedAnswers(route, variants)[response.status] ?? [];
  if (answers.length === 0) return [...problems, `status ${response.status} not in the contract`];
  const fits = answers.some(({ body }) => {
    if (body === undefined) return response.text === "";
    if (!/^application\/json/.test(response.headers.get("content-type") ?? "")) return false;
    try {
      return schemaProblems(body, parse(response.text)).length === 0;
    } catch {
      return false;
    }
  });
  if (!fits) problems.push(`${route} ${response.status} body fits no allowed schema`);
  return problems;
};
