// The shared store conformance suite (packages/testkit) on the PostgreSQL store: a fresh
// migrated database per test on the throwaway cluster, short leases, and worker processes that
// reach the same database. Run twice: in clear, and sealed under a keyring (the workers get the
// same keyring through MIRO_TOKEN_STORE_KEYS).

import { fileURLToPath } from "node:url";
import { storeConformance } from "@miro-token/testkit";
import { NodeTransport } from "@miro-token/transport-node";
import { Effect, Redacted } from "effect";
import { PostgresTokenStore } from "../src/index.ts";
import { migratedDatabase, TEST_LEASE } from "./Databases.ts";
import { keyringOf, keysEnv } from "./Keys.ts";

const WORKER = fileURLToPath(new URL("./fixtures/ConformanceWorker.ts", import.meta.url));

const postgresConformance = (name: string, keys: ReadonlyArray<string> | undefined) =>
  storeConformance(name, {
    transport: NodeTransport.layer,
    crossProcess: true,
    open: Effect.gen(function* () {
      const keyring = keys === undefined ? undefined : keyringOf("k2", keys);
      const options = yield* migratedDatabase({ lease: TEST_LEASE, keyring });
      const store = yield* PostgresTokenStore.make(options);
      return {
        store,
        worker: (tokenId: string) => ({
          script: WORKER,
          args: [tokenId],
          env: {
            STORE_URL: Redacted.value(options.url),
            ...(keys === undefined ? {} : { MIRO_TOKEN_STORE_KEYS: keysEnv("k2", keys) }),
          },
        }),
        // The lease lasts 2 s after the holder's last renewal; polling adds 20 ms.
        takeoverWithinMs: 3_500,
      };
    }),
  });

postgresConformance("postgres", undefined);
postgresConformance("postgres, sealed", ["k1", "k2"]);
