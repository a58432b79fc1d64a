// The error guard decides by core's brand, not by `instanceof`: an error built by another copy
// of core (here the same module loaded a second time under another id, as the `src` and `dist`
// copies of a package are) is recognised, and a look-alike without the brand is not. Also pins,
// at compile time, that each operation declares only the errors it can raise.
import { describe, expect, it } from "@effect/vitest";
import { Effect, Redacted } from "effect";
import {
  InvalidTokenError,
  isMiroTokenError,
  MIRO_TOKEN_ERROR_TAGS,
  type MiroTokenErrorTag,
  MiroTokenErrorTypeId,
  TokenClient,
} from "../src/index.ts";
import { MIRO_TOKEN_ERROR_CLASSES } from "../src/internal.ts";

const at = { method: "GET", endpoint: "https://api.miro.com/v1/oauth-token", attempts: 1 };

/** The error module again, under another module id: a second copy of the class. */
const otherCopy = async (): Promise<typeof InvalidTokenError> => {
  const url = "../src/errors/InvalidTokenError.ts?second-copy";
  const module: { InvalidTokenError: typeof InvalidTokenError } = await import(
    /* @vite-ignore */ url
  );
  return module.InvalidTokenError;
};

describe("isMiroTokenError", () => {
  it("recognises an error built by another copy of the class", async () => {
    const Copy = await otherCopy();
    expect(Copy).not.toBe(InvalidTokenError);
    const error = new Copy({ ...at, status: 401 });
    expect(error instanceof InvalidTokenError).toBe(false);
    expect(isMiroTokenError(error)).toBe(true);
  });

  it("refuses a look-alike without the brand", () => {
    const lookAlike = Object.assign(new Error("InvalidTokenError: x"), {
      _tag: "InvalidTokenError",
      retryable: false,
      status: 401,
      ...at,
    });
    expect(isMiroTokenError(lookAlike)).toBe(false);
    expect(isMiroTokenError({ ...new InvalidTokenError({ ...at, status: 401 }) })).toBe(true);
  });

  it("refuses the brand with a tag core does not have", () => {
    expect(isMiroTokenError({ [MiroTokenErrorTypeId]: MiroTokenErrorTypeId, _tag: "Nope" })).toBe(
      false,
    );
    expect(isMiroTokenError({ [MiroTokenErrorTypeId]: true, _tag: "InvalidTokenError" })).toBe(
      false,
    );
    expect(isMiroTokenError(null)).toBe(false);
  });

  it("knows every tag", () => {
    expect([...MIRO_TOKEN_ERROR_TAGS].sort()).toEqual(
      MIRO_TOKEN_ERROR_CLASSES.map((cls) => cls.name).sort(),
    );
  });
});

describe("declared errors (checked by the type checker)", () => {
  it("types tag sets by the error union", () => {
    // @ts-expect-error a misspelt tag does not compile
    const typo: ReadonlySet<MiroTokenErrorTag> = new Set<MiroTokenErrorTag>(["InvalidTokenEror"]);
    expect(typo.size).toBe(1);
  });

  it("lets a caller handle only what an operation can raise", () => {
    const token = Redacted.make("t");
    const programs = [
      TokenClient.info(token).pipe(
        Effect.catchTag("InvalidTokenError", () => Effect.void),
        // @ts-expect-error info never rejects a grant
        Effect.catchTag("InvalidGrantError", () => Effect.void),
      ),
      TokenClient.revoke(token).pipe(
        // @ts-expect-error revoke never reports an invalid token (a rejected revoke is its own error)
        Effect.catchTag("InvalidTokenError", () => Effect.void),
      ),
      TokenClient.refresh({ refreshToken: token }).pipe(
        Effect.catchTag("InvalidGrantError", () => Effect.void),
        // @ts-expect-error refresh never answers a revoke
        Effect.catchTag("RevokeRejectedError", () => Effect.void),
      ),
      TokenClient.exchangeCode(token, "http://127.0.0.1/cb").pipe(
        // @ts-expect-error the token endpoint never reads a store
        Effect.catchTag("StoreError", () => Effect.void),
      ),
    ];
    expect(programs).toHaveLength(4);
  });
});
