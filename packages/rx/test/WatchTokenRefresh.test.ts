/**
 * The refresh contract of `watchToken$`, in the types and at run time: a stored token
 * (`{ id, store }`) is refreshed ahead of expiry and its rotated pair lands in the store; a
 * bare token set takes no refresh options at all (a type error, checked by `tsc` over this
 * file), so a watch that silently lets the token expire cannot be written.
 */

import {
  MiroConfig,
  makeMemoryStore,
  TokenClient,
  type TokenSet,
  type TokenStatus,
} from "@miro-token/core";
import { type Emulator, startEmulator } from "@miro-token/emulator";
import { NodeTransport } from "@miro-token/transport-node";
import { Effect, Layer, Option, Redacted } from "effect";
import { filter, firstValueFrom } from "rxjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { watchToken$ } from "../src/index.ts";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());

const clientLayer = () => {
  const client = emulator.seed?.client;
  return TokenClient.layer.pipe(
    Layer.provide(
      Layer.merge(
        NodeTransport.layer,
        MiroConfig.layer({
          baseUrl: emulator.baseUrl,
          clientId: client?.clientId,
          clientSecret: client?.clientSecret,
        }),
      ),
    ),
  );
};

const tokenSetOf = (issued: ReturnType<Emulator["issueTokens"]>): TokenSet => ({
  accessToken: Redacted.make(issued.accessToken),
  ...(issued.refreshToken === undefined
    ? {}
    : { refreshToken: Redacted.make(issued.refreshToken) }),
  expiresAt: Date.now() + (issued.expiresIn ?? 0) * 1000,
  scopes: issued.scope.split(" "),
});

describe("watchToken$ refresh contract", () => {
  it("refreshes a stored token ahead of expiry and keeps the rotated pair in the store", async () => {
    const issued = emulator.issueTokens({ expiring: true });
    const store = await Effect.runPromise(
      makeMemoryStore([{ id: "alice", tokenSet: tokenSetOf(issued) }]),
    );
    const refreshed = await firstValueFrom(
      watchToken$(
        { id: "alice", store },
        { layer: clientLayer(), refreshWindow: "2 hours", refreshJitter: 0 },
      ).pipe(
        filter((s): s is Extract<TokenStatus, { _tag: "Refreshed" }> => s._tag === "Refreshed"),
      ),
    );
    expect(refreshed.generation).toBe(2);
    const stored = Option.getOrThrow(await Effect.runPromise(store.get("alice")));
    expect(stored.generation).toBe(2);
    const next = Redacted.value(stored.tokenSet.accessToken);
    expect(emulator.accessTokenState(next)).toBe("active");
    expect(emulator.accessTokenState(issued.accessToken)).toBe("rotated");
  });

  it("refuses refresh options for a token set or a bare token (type-level)", () => {
    const issued = emulator.issueTokens({ expiring: true });
    const layer = clientLayer();
    const probeOnly = () => [
      // @ts-expect-error no store: nothing would be refreshed
      watchToken$(tokenSetOf(issued), { layer, refreshWindow: "5 minutes" }),
      // @ts-expect-error no store: nothing would be refreshed
      watchToken$(Redacted.make(issued.accessToken), { layer, refreshJitter: "10 seconds" }),
      watchToken$(tokenSetOf(issued), { layer, interval: "1 minute" }),
    ];
    expect(probeOnly).toBeTypeOf("function");
  });
});
