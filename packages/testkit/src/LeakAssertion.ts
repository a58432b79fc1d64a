/**
 * The one assertion the conformance suites make about secrets on an error: none of them, nor
 * any slice `findLeaks` looks for, appears on any surface the error shows (see `Canary.ts`).
 * It lives apart from `Canary.ts` because it needs vitest's `expect`.
 */
import { expect } from "@effect/vitest";
import { errorSurfaces, findLeaks } from "./Canary.ts";

/** Fails the test if any of `secrets` shows on any surface of `error`. */
export const expectNoLeak = (error: unknown, secrets: ReadonlyArray<string>): void => {
  expect(findLeaks(errorSurfaces(error), secrets)).toEqual([]);
};
