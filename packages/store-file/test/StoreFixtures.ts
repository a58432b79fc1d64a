// What the store tests share: a fresh temp directory and a Miro emulator per test, token sets
// built from canary tokens, and a store opened on a directory (optionally over a wrapped fs).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TokenSet, TokenStoreShape } from "@miro-token/core";
import { startEmulator } from "@miro-token/emulator";
import { canaryToken } from "@miro-token/testkit";
import { Effect, Redacted } from "effect";
import { FileTokenStore, type StoreFs } from "../src/index.ts";

/** A fresh directory under the OS temp dir, removed when the scope closes. */
export const tempDirectory = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "store-file-"))),
  (path) => Effect.promise(() => rm(path, { recursive: true, force: true })),
);

/** A Miro emulator on a free loopback port, closed when the scope closes. */
export const scopedEmulator = Effect.acquireRelease(
  Effect.promise(() => startEmulator({ port: 0 })),
  (emulator) => Effect.promise(() => emulator.close()),
);

/** A token set whose tokens are fresh canaries. */
export const canaryTokenSet = (): TokenSet => ({
  accessToken: Redacted.make(canaryToken()),
  refreshToken: Redacted.make(canaryToken()),
  expiresAt: 1_767_229_199_000,
  scopes: ["boards:read", "boards:write"],
  teamId: "3074457358607431473",
  userId: "3458764517517852417",
});

/** The plain refresh token of a set (tests only). */
export const refreshOf = (tokenSet: TokenSet): string =>
  tokenSet.refreshToken === undefined ? "" : Redacted.value(tokenSet.refreshToken);

/** Open a store on `directory`. */
export const openStore = (
  directory: string,
  fs?: StoreFs,
): Effect.Effect<TokenStoreShape, unknown> =>
  FileTokenStore.make({ directory, ...(fs === undefined ? {} : { fs }) });
