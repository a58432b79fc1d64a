// The shared outbox conformance suite (packages/testkit) on the PostgreSQL store: a fresh
// migrated database per test, two stores (two pools: two replicas' view) over it.
import { outboxConformance } from "@miro-token/testkit";
import { Effect } from "effect";
import { PostgresTokenStore } from "../src/index.ts";
import { migratedDatabase, TEST_LEASE } from "./Databases.ts";

outboxConformance(
  "postgres",
  Effect.gen(function* () {
    const options = yield* migratedDatabase({ lease: TEST_LEASE });
    const a = yield* PostgresTokenStore.make(options);
    const b = yield* PostgresTokenStore.make(options);
    return { a: a.outbox!, b: b.outbox! };
  }),
);
