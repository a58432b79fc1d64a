// The shared store conformance suite (packages/testkit) on the file store: a fresh directory
// per test, a 2 s stale-lock time (the default is 10 s) so a SIGKILLed holder's takeover is
// quick to watch, and worker processes on the same directory. Run twice: in clear, and sealed
// under a keyring (the workers get the same keyring through MIRO_TOKEN_STORE_KEYS).
import { fileURLToPath } from "node:url";
import { storeConformance } from "@miro-token/testkit";
import { NodeTransport } from "@miro-token/transport-node";
import { Effect } from "effect";
import type { Keyring } from "../src/crypto/index.ts";
import { FileTokenStore } from "../src/index.ts";
import { testKeyring, testKeysEnv } from "./Keys.ts";
import { tempDirectory } from "./StoreFixtures.ts";

const WORKER = fileURLToPath(new URL("./fixtures/ConformanceWorker.ts", import.meta.url));

const fileConformance = (name: string, keyring: Keyring | undefined, env: Record<string, string>) =>
  storeConformance(name, {
    transport: NodeTransport.layer,
    crossProcess: true,
    open: Effect.gen(function* () {
      const directory = yield* tempDirectory;
      const store = yield* FileTokenStore.make({
        directory,
        keyring,
        lock: { staleAfter: "2 seconds" },
      });
      return {
        store,
        worker: (tokenId: string) => ({ script: WORKER, args: [directory, tokenId], env }),
        // Stale 2 s after the holder's last heartbeat, then the waiter's next poll.
        takeoverWithinMs: 5_000,
      };
    }),
  });

fileConformance("file", undefined, {});
fileConformance("file, sealed", testKeyring("k2", ["k1", "k2"]), {
  MIRO_TOKEN_STORE_KEYS: testKeysEnv("k2", ["k1", "k2"]),
});
