/**
 * Shared helpers for the emulator tests: a per-test emulator on port 0, small HTTP helpers over
 * global fetch and node:http, and our own check of the shapes Miro's spec promises.
 */
import { type Agent, request } from "node:http";
import { afterEach, beforeEach, expect } from "vitest";
import { type Emulator, type EmulatorOptions, startEmulator, type Variants } from "../src/index.ts";

/**
 * The variants that reproduce the emulator's answers from before they became variants (codes
 * of its own, lenient v1 revoke, 400/401 from v2 revoke and the token endpoint, Retry-After).
 * The route tests that pin those answers run under them; Contract.test.ts checks the defaults.
 */
export const INVENTED_VARIANTS: Partial<Variants> = {
  tokenInfoFailure: "400-codes",
  v1RevokeFailure: "400-body",
  v1RevokeToken: "lenient",
  v2RevokeFailure: "400-401-404",
  tokenFailure: "400-invalidGrant",
  retryAfter: "present",
};

/** Starts a fresh emulator before each test of the file and closes it after. */
export const useEmulator = (options: EmulatorOptions = {}): (() => Emulator) => {
  let current: Emulator | undefined;
  beforeEach(async () => {
    current = await startEmulator(options);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    if (current === undefined) throw new Error("emulator not started");
    return current;
  };
};

/** Polls `condition` every 5 ms until it holds; fails after `timeoutMs` of real time. */
export const waitFor = async (condition: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error("waitFor: condition never held");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/** The seed of an emulator started with seeding on. */
export const seedOf = (emulator: Emulator): NonNullable<Emulator["seed"]> => {
  if (emulator.seed === undefined) throw new Error("emulator has no seed");
  return emulator.seed;
};

/** A fetched response with its body read as text (and parsed, when it is JSON). */
export interface Fetched {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}

/** Fetches `path` from the emulator and reads the whole body. */
export const call = async (
  emulator: Emulator,
  path: string,
  init: RequestInit = {},
): Promise<Fetched> => {
  const response = await fetch(`${emulator.baseUrl}${path}`, { redirect: "manual", ...init });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
};

/** `Authorization: Bearer` headers. */
export const bearer = (token: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
});

/** A POST with an `application/x-www-form-urlencoded` body. */
export const formPost = (params: Record<string, string>): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(params).toString(),
});

/** The parameters of a refresh_token grant for `client`. */
export const refreshGrant = (
  client: { readonly clientId: string; readonly clientSecret: string },
  refreshToken: string | undefined,
): { grant_type: string; client_id: string; client_secret: string; refresh_token: string } => ({
  grant_type: "refresh_token",
  client_id: client.clientId,
  client_secret: client.clientSecret,
  refresh_token: refreshToken ?? "",
});

/** A POST with a JSON body. */
export const jsonPost = (value: unknown, method = "POST"): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(value),
});

/** Asserts Miro's error body `{status, code, message, type: "error"}` with this status and code. */
export const expectMiroError = (response: Fetched, status: number, code: string): void => {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  expect(response.json).toEqual({ status, code, message: expect.any(String), type: "error" });
  expect((response.json as { message: string }).message.length).toBeGreaterThan(0);
};

/** Problems with a value as Miro's `TokenInformation` (required fields, string ids); [] if fine. */
export const tokenInformationProblems = (value: unknown): Array<string> => {
  const problems: Array<string> = [];
  const record = (typeof value === "object" && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  if (typeof record.type !== "string") problems.push("type is not a string");
  for (const name of ["organization", "team", "createdBy", "user"]) {
    const part = record[name] as Record<string, unknown> | undefined;
    for (const field of ["type", "name", "id"]) {
      if (typeof part?.[field] !== "string") problems.push(`${name}.${field} is not a string`);
    }
  }
  const scopes = record.scopes;
  if (
    scopes !== undefined &&
    !(Array.isArray(scopes) && scopes.every((s) => typeof s === "string"))
  ) {
    problems.push("scopes is not a string array");
  }
  return problems;
};

/** What a raw node:http request saw. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: string;
  /** The client socket that carried the request (to count keep-alive reuse). */
  readonly socket: unknown;
}

/** A raw node:http GET; resolves with status and body, or rejects with the socket error. */
export const rawRequest = (
  emulator: Emulator,
  path: string,
  options: { headers?: Record<string, string>; agent?: Agent } = {},
): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const req = request(
      `${emulator.baseUrl}${path}`,
      { headers: options.headers ?? {}, agent: options.agent ?? false },
      (res) => {
        const chunks: Array<Buffer> = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("aborted", () => reject(new Error("response aborted")));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
            socket: req.socket,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
