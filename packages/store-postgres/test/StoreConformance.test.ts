// The shared store conformance suite (packages/testkit) on the PostgreSQL store: a fresh
// migrated database per test on the throwaway cluster, short leases, and worker processes that
// reach the same database.

import { fileURLToPath } from "node:url";
import { storeConformance } from "@miro-token/testkit";
import { NodeTransport } from "@miro-token/transport-node";
import { Effect, Redacted } from "effect";
import { PostgresTokenStore } from "../src/index.ts";
import { migratedDatabase, TEST_LEASE } from "./Databases.ts";

const WORKER = fileURLToPath(new URL("./fixtures/ConformanceWorker.ts", import.meta.url));

storeConformance("postgres", {
  transport: NodeTransport.layer,
  crossProcess: true,
  open: Effect.gen(function* () {
    const options = yield* migratedDatabase({ lease: TEST_LEASE });
    const store = yield* PostgresTokenStore.make(options);
    return {
      store,
      worker: (tokenId: string) => ({
        script: WORKER,
        args: [tokenId],
        env: { STORE_URL: Redacted.value(options.url) },
      }),
      // The lease lasts 2 s after the holder's last renewal; polling adds 20 ms.
      takeoverWithinMs: 3_500,
    };
  }),
});
