// A tiny local leak check for core's own tests (core cannot depend on testkit: testkit depends
// on core). Same rule as testkit's: a leak is any 8-character slice of a secret.
import { inspect } from "node:util";

const SLICE = 8;

export const randomSecret = (): string =>
  `eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_${Array.from(crypto.getRandomValues(new Uint8Array(27)), (b) =>
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".charAt(b % 64),
  ).join("")}`;

const secretPart = (secret: string): string =>
  secret.replace(/^eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_/, "");

export const leaks = (text: string, secrets: ReadonlyArray<string>): ReadonlyArray<string> =>
  secrets.flatMap((secret) => {
    const part = secretPart(secret);
    for (let i = 0; i + SLICE <= part.length; i++) {
      const slice = part.slice(i, i + SLICE);
      if (text.includes(slice)) return [slice];
    }
    return [];
  });

export const surfaces = (error: unknown): string => {
  const parts: Array<string> = [String(error), inspect(error, { depth: Number.POSITIVE_INFINITY })];
  try {
    parts.push(JSON.stringify(error) ?? "");
  } catch {
    parts.push("<unserialisable>");
  }
  if (error instanceof Error) parts.push(error.message, error.stack ?? "");
  return parts.join("\n");
};
