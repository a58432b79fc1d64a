/**
 * Shared helpers for the emulator tests: a per-test emulator on port 0, small HTTP helpers over
 * global fetch and node:http, and our own check of the shapes Miro's spec promises.
 */
import { request } from "node:http";
import { afterEach, beforeEach, expect } from "vitest";
import { type Emulator, type EmulatorOptions, startEmulator } from "../src/index.ts";

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

/** A raw node:http request; resolves with status and body, or rejects with the socket error. */
export const rawRequest = (
  emulator: Emulator,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request(`${emulator.baseUrl}${path}`, { headers, agent: false }, (res) => {
      const chunks: Array<Buffer> = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("aborted", () => reject(new Error("response aborted")));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
