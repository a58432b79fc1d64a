// What the store tests share: a fresh temp directory and a Miro emulator per test, token sets
// built from canary tokens, a store opened on a directory (optionally over a wrapped fs), and
// for the crash tests the workers' environment and a fresh pair stored as the next generation.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TokenSet, TokenStoreShape } from "@miro-token/core";
import { type Emulator, startEmulator } from "@miro-token/emulator";
import { canaryToken } from "@miro-token/testkit";
import { Effect, Option, Redacted } from "effect";
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

/** What a worker needs to reach the emulator as its seeded app client. */
export const workerEnvOf = (emulator: Emulator, pauseMs: number) => {
  const client = emulator.seed?.client;
  if (client === undefined) throw new Error("the emulator was started without a seed");
  return {
    baseUrl: emulator.baseUrl,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    pauseMs,
  };
};

/** Store a pair the emulator issues now as `tokenId`'s next generation. */
export const reseedToken = (
  emulator: Emulator,
  store: TokenStoreShape,
  tokenId: string,
  expiresAt?: number,
) =>
  Effect.gen(function* () {
    const clientId = workerEnvOf(emulator, 0).clientId;
    const issued = emulator.issueTokens({ clientId, expiring: true });
    const generation = Option.match(yield* store.get(tokenId), {
      onNone: () => 0,
      onSome: (s) => s.generation,
    });
    yield* store.compareAndSet(tokenId, generation, {
      accessToken: Redacted.make(issued.accessToken),
      refreshToken: Redacted.make(issued.refreshToken ?? ""),
      ...(expiresAt === undefined ? {} : { expiresAt }),
      scopes: [],
    });
  });
