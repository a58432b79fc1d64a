/**
 * `watchToken$` and `watchStore$` against the Miro emulator over real loopback HTTP: the first
 * probe's status arrives, a late subscriber gets it replayed without another request, a dead
 * token ends the stream with `Invalid`, and unsubscribing stops the watch.
 */

import { MiroConfig, TokenClient, type TokenStatus, TokenStore } from "@miro-token/core";
import { type Emulator, startEmulator } from "@miro-token/emulator";
import { NodeTransport } from "@miro-token/transport-node";
import { Layer, Redacted } from "effect";
import { filter, firstValueFrom, lastValueFrom, toArray } from "rxjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { latestByToken, watchStore$, watchToken$ } from "../src/index.ts";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());

const clientLayer = () =>
  TokenClient.layer.pipe(
    Layer.provide(
      Layer.merge(NodeTransport.layer, MiroConfig.layer({ baseUrl: emulator.baseUrl })),
    ),
  );

const tokenInfoRequests = () => emulator.requests.filter((r) => r.route === "token-info").length;

describe("watchToken$", () => {
  it("emits Active after the first probe and replays it to a late subscriber", async () => {
    const { accessToken } = emulator.issueTokens({ expiring: false });
    const status$ = watchToken$(Redacted.make(accessToken), { layer: clientLayer() });
    const seen: Array<TokenStatus["_tag"]> = [];
    const first = status$.subscribe((status) => seen.push(status._tag));
    const active = await firstValueFrom(status$.pipe(filter((s) => s._tag === "Active")));
    expect(active._tag).toBe("Active");
    const requestsBefore = tokenInfoRequests();
    const late = await firstValueFrom(status$);
    expect(late._tag).toBe("Active");
    expect(tokenInfoRequests()).toBe(requestsBefore);
    expect(seen).toContain("Active");
    first.unsubscribe();
  });

  it("ends with Invalid when Miro rejects the token", async () => {
    const { accessToken } = emulator.issueTokens({ expiring: false });
    emulator.revokeAccess(accessToken);
    const statuses = await lastValueFrom(
      watchToken$(Redacted.make(accessToken), { layer: clientLayer() }).pipe(toArray()),
    );
    const last = statuses.at(-1);
    expect(last?._tag).toBe("Invalid");
    expect(last?._tag === "Invalid" && last.status).toBe(400);
  });

  it("stops probing once the last subscriber leaves", async () => {
    const { accessToken } = emulator.issueTokens({ expiring: false });
    const status$ = watchToken$(Redacted.make(accessToken), {
      layer: clientLayer(),
      interval: "50 millis",
    });
    await firstValueFrom(status$.pipe(filter((s) => s._tag === "Active")));
    const after = tokenInfoRequests();
    // firstValueFrom unsubscribed (refCount 0): the watch fiber is interrupted. A fresh
    // subscription starts a new watch, which probes once more.
    await firstValueFrom(status$.pipe(filter((s) => s._tag === "Active")));
    expect(tokenInfoRequests()).toBe(after + 1);
  });
});

describe("watchStore$", () => {
  it("tags each token's status with its id and fingerprint, never the token", async () => {
    const a = emulator.issueTokens({ expiring: false });
    const b = emulator.issueTokens({ expiring: false });
    const store = TokenStore.layerMemory([
      { id: "alice", tokenSet: { accessToken: Redacted.make(a.accessToken), scopes: [] } },
      { id: "bob", tokenSet: { accessToken: Redacted.make(b.accessToken), scopes: [] } },
    ]);
    // watchMany spreads first probes over one interval: keep it short so the test is quick.
    const events$ = watchStore$({
      layer: Layer.merge(clientLayer(), store),
      interval: "100 millis",
    });
    const snapshot = await firstValueFrom(
      events$.pipe(
        latestByToken(),
        filter((map) => [...map.values()].filter((e) => e.status._tag === "Active").length === 2),
      ),
    );
    expect([...snapshot.keys()].sort()).toEqual(["alice", "bob"]);
    for (const event of snapshot.values()) {
      expect(event.fingerprint).toMatch(/^[0-9a-f]{8}$/);
      expect(JSON.stringify(event)).not.toContain(a.accessToken.slice(-12));
      expect(JSON.stringify(event)).not.toContain(b.accessToken.slice(-12));
    }
  });
});
