// The shared store conformance suite (packages/testkit) on the file store: a fresh directory
// per test, a 2 s stale-lock time (the default is 10 s) so a SIGKILLed holder's takeover is
// quick to watch, and worker processes on the same directory.
import { fileURLToPath } from "node:url";
import { storeConformance } from "@miro-token/testkit";
import { NodeTransport } from "@miro-token/transport-node";
import { Effect } from "effect";
import { FileTokenStore } from "../src/index.ts";
import { tempDirectory } from "./StoreFixtures.ts";

const WORKER = fileURLToPath(new URL("./fixtures/ConformanceWorker.ts", import.meta.url));

storeConformance("file", {
  transport: NodeTransport.layer,
  crossProcess: true,
  open: Effect.gen(function* () {
    const directory = yield* tempDirectory;
    const store = yield* FileTokenStore.make({ directory, lock: { staleAfter: "2 seconds" } });
    return {
      store,
      worker: (tokenId: string) => ({ script: WORKER, args: [directory, tokenId] }),
      // Stale 2 s after the holder's last heartbeat, then the waiter's next poll.
      takeoverWithinMs: 5_000,
    };
  }),
});
