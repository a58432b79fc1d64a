/**
 * Canary secrets for leak tests: random tokens generated per run, and a check that finds any
 * of them (or any 8-character slice of them) in captured text. The slice rule catches partial
 * echoes such as V8's 10-character `JSON.parse` snippet.
 */
import { randomBytes } from "node:crypto";
import { inspect } from "node:util";

/** The secrets of one test run. */
export interface Canaries {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly clientSecret: string;
}

/** The shortest slice of a canary that counts as a leak. */
export const LEAK_SLICE_LENGTH = 8;

/**
 * A random token in Miro's shape (base64url of `{"miro.origin":"eu01"}`, `_`, 27 characters);
 * the random tail is what the leak check looks for.
 */
export const canaryToken = (): string =>
  `eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_${randomBytes(21).toString("base64url").slice(0, 27)}`;

/** Fresh canaries for one run. */
export const makeCanaries = (): Canaries => ({
  accessToken: canaryToken(),
  refreshToken: canaryToken(),
  clientSecret: randomBytes(24).toString("base64url"),
});

/** The secret part of a canary: Miro's fixed prefix is public and shared by every token. */
const secretPart = (secret: string): string =>
  secret.replace(/^eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_/, "");

/**
 * Every place in `text` where a secret, or any slice of it of at least
 * {@link LEAK_SLICE_LENGTH} characters, appears. Empty when nothing leaked.
 */
export const findLeaks = (text: string, secrets: Iterable<string>): ReadonlyArray<string> => {
  const found: Array<string> = [];
  for (const secret of secrets) {
    const part = secretPart(secret);
    for (let start = 0; start + LEAK_SLICE_LENGTH <= part.length; start++) {
      const slice = part.slice(start, start + LEAK_SLICE_LENGTH);
      if (text.includes(slice)) {
        found.push(slice);
        break;
      }
    }
  }
  return found;
};

/**
 * Everything an error can show a user or a log: message, stack, `String()`, `util.inspect` at
 * full depth, JSON, and the same for each `cause` in the chain.
 */
export const errorSurfaces = (error: unknown): string => {
  const parts: Array<string> = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    parts.push(String(current), inspect(current, { depth: Number.POSITIVE_INFINITY }));
    try {
      parts.push(JSON.stringify(current) ?? "");
    } catch {
      parts.push("<unserialisable>");
    }
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? "");
      current = current.cause;
    } else {
      current = undefined;
    }
  }
  return parts.join("\n");
};
