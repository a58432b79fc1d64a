/**
 * Our token-info call, as users run it: an Effect program on a `ManagedRuntime` built once (the
 * Effect way) and the promise facade, each over every transport.
 */
import { createTokenClient, MiroConfig, TokenClient } from "@miro-token/core";
import { FetchTransport } from "@miro-token/transport-fetch";
import { KyTransport } from "@miro-token/transport-ky";
import { NodeTransport } from "@miro-token/transport-node";
import { Layer, ManagedRuntime, Redacted } from "effect";
import type { OwnedCase, Target } from "./RawClients.ts";

/** The transports a user can pick, by the name the tables show. */
export const transports = {
  node: NodeTransport.layer,
  fetch: FetchTransport.layer,
  ky: KyTransport.layer,
} as const;

/** Which transport a case runs over. */
export type TransportName = keyof typeof transports;

/** `TokenClient.info` run as an Effect on a runtime built once. */
export const effectClient = (target: Target, transport: TransportName): OwnedCase => {
  const runtime = ManagedRuntime.make(
    TokenClient.layer.pipe(
      Layer.provide(
        Layer.merge(transports[transport], MiroConfig.layer({ baseUrl: target.baseUrl })),
      ),
    ),
  );
  const token = Redacted.make(target.accessToken);
  const program = TokenClient.info(token);
  return {
    name: `miro-token Effect over ${transport}`,
    run: () => runtime.runPromise(program),
    close: () => runtime.dispose(),
  };
};

/** `createTokenClient(...).info(token)`: the promise facade. */
export const promiseClient = (target: Target, transport: TransportName): OwnedCase => {
  const client = createTokenClient({ transport: transports[transport], baseUrl: target.baseUrl });
  return {
    name: `miro-token promise over ${transport}`,
    run: () => client.info(target.accessToken),
    close: () => client.dispose(),
  };
};
