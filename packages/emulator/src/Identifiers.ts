/**
 * Generators for the identifiers and secrets the emulator hands out, shaped like Miro's:
 * tokens are `eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_` (base64url of `{"miro.origin":"eu01"}`) plus 27
 * random base64url characters; team, user and organization ids are 19-digit strings above 2^53
 * (JavaScript numbers cannot hold them exactly, just like Miro's real ids).
 */
import { randomBytes, randomInt } from "node:crypto";

/** The fixed, public prefix of every Miro token. */
export const MIRO_TOKEN_PREFIX = "eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_";

/** Matches a Miro-shaped token (or authorization code) anywhere in a text. */
export const MIRO_TOKEN_PATTERN = /eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_[A-Za-z0-9_-]*/g;

/** A new random token (access token, refresh token or authorization code) in Miro's shape. */
export const newMiroToken = (): string =>
  `${MIRO_TOKEN_PREFIX}${randomBytes(21).toString("base64url").slice(0, 27)}`;

/**
 * A new 19-digit id starting with `3074457` like Miro's team and user ids; always greater than
 * 2^53, so a plain `JSON.parse` of it as a number loses digits.
 */
export const newMiroId = (): string => {
  let tail = "";
  while (tail.length < 12) tail += String(randomInt(0, 1_000_000)).padStart(6, "0");
  return `3074457${tail.slice(0, 12)}`;
};

/** A new client secret: 32 random base64url characters. */
export const newClientSecret = (): string => randomBytes(24).toString("base64url");

/** True when `value` is a non-empty string of decimal digits (a valid Miro numeric id). */
export const isDigitId = (value: string): boolean => /^[0-9]{1,30}$/.test(value);
