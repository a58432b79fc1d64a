/**
 * The leak check itself: it must find a whole canary, any 8-character slice of one (the size
 * of V8's JSON.parse snippet), and canaries hidden in an error's cause chain — and nothing else.
 */
import { describe, expect, it } from "vitest";
import { canaryToken, errorSurfaces, findLeaks, makeCanaries } from "../src/Canary.ts";

describe("findLeaks", () => {
  const { accessToken, refreshToken, clientSecret } = makeCanaries();

  it("finds a whole canary and an 8-character slice of one", () => {
    expect(findLeaks(`Bearer ${accessToken}`, [accessToken])).toHaveLength(1);
    const slice = clientSecret.slice(5, 13);
    expect(findLeaks(`Unexpected token, "${slice}"... is not valid JSON`, [clientSecret])).toEqual([
      slice,
    ]);
  });

  it("ignores Miro's public token prefix and slices shorter than 8 characters", () => {
    const other = canaryToken();
    expect(findLeaks(other.slice(0, 31), [accessToken])).toEqual([]);
    expect(findLeaks(refreshToken.slice(-7), [refreshToken])).toEqual([]);
  });
});

describe("errorSurfaces", () => {
  it("shows the message, inspect output and the whole cause chain", () => {
    const { accessToken } = makeCanaries();
    const inner = new Error(`socket said ${accessToken}`);
    const outer = new Error("request failed", { cause: inner });
    expect(findLeaks(errorSurfaces(outer), [accessToken])).not.toEqual([]);
    expect(findLeaks(errorSurfaces(new Error("clean")), [accessToken])).toEqual([]);
  });
});
