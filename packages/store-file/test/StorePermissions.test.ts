// StrictModes for the store: a directory or token file that another user owns or that others
// can write is refused with StoreError{operation: "permissions"} and a message naming the fix,
// and nothing on disk is changed; `insecurePermissions` accepts it as it is. Tests run as root
// here, so foreign ownership is made with chown to uid 65534.
import { chmod, chown, mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "@effect/vitest";
import { Effect } from "effect";
import { FileTokenStore } from "../src/index.ts";
import { canaryTokenSet, tempDirectory } from "./StoreFixtures.ts";

const NOBODY = 65534;
const modeOf = (path: string) => Effect.promise(async () => (await stat(path)).mode & 0o777);
const uid = process.getuid?.() ?? 0;

/** A store directory holding one token, `alice`; returns the directory and the token file. */
const storeWithToken = Effect.gen(function* () {
  const directory = join(yield* tempDirectory, "store");
  const store = yield* FileTokenStore.make({ directory });
  yield* store.compareAndSet("alice", 0, canaryTokenSet());
  return { directory, file: join(directory, "YWxpY2U.token.json") };
});

describe("store permissions (StrictModes)", () => {
  it.live("a group- or world-writable directory is refused, not chmod-ed", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { directory } = yield* storeWithToken;
        yield* Effect.promise(() => chmod(directory, 0o777));
        const error = yield* Effect.flip(FileTokenStore.make({ directory }));
        expect(error).toMatchObject({
          _tag: "StoreError",
          operation: FileTokenStore.PERMISSIONS_OPERATION,
        });
        expect(error.reason).toBe(
          `store directory ${directory} has mode 777: writable by its group or by others; ` +
            "refused, as anyone who can write it can replace tokens. " +
            `Fix it (chmod 700 ${directory}) or accept it with --insecure-store-permissions`,
        );
        expect(yield* modeOf(directory)).toBe(0o777);
        yield* Effect.promise(() => chmod(directory, 0o770));
        expect((yield* Effect.flip(FileTokenStore.make({ directory }))).reason).toMatch(/mode 770/);
      }),
    ),
  );

  it.live("a directory owned by another user is refused before anything is changed", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { directory } = yield* storeWithToken;
        yield* Effect.promise(() => chmod(directory, 0o755));
        yield* Effect.promise(() => chown(directory, NOBODY, NOBODY));
        const error = yield* Effect.flip(FileTokenStore.make({ directory }));
        expect(error.operation).toBe("permissions");
        expect(error.reason).toContain(
          `store directory ${directory} is owned by uid ${NOBODY}, not by this user (uid ${uid})`,
        );
        expect(error.reason).toContain(`chown ${uid} ${directory}`);
        // Not tightened to 0700 on the way (the old code chmod-ed first, and warned first).
        expect(yield* modeOf(directory)).toBe(0o755);
      }),
    ),
  );

  it.live("a writable or foreign token file is refused", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { directory, file } = yield* storeWithToken;
        yield* Effect.promise(() => chmod(file, 0o666));
        const writable = yield* Effect.flip(FileTokenStore.make({ directory }));
        expect(writable.reason).toMatch(/^token file .*YWxpY2U\.token\.json has mode 666/);
        expect(yield* modeOf(file)).toBe(0o666);
        yield* Effect.promise(() => chmod(file, 0o600));
        yield* Effect.promise(() => chown(file, NOBODY, NOBODY));
        const foreign = yield* Effect.flip(FileTokenStore.make({ directory }));
        expect(foreign.reason).toMatch(/^token file .* is owned by uid 65534/);
      }),
    ),
  );

  it.live("insecurePermissions accepts such a store as it is, and it works", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { directory, file } = yield* storeWithToken;
        yield* Effect.promise(() => chmod(directory, 0o777));
        yield* Effect.promise(() => chown(file, NOBODY, NOBODY));
        const store = yield* FileTokenStore.make({ directory, insecurePermissions: true });
        expect((yield* store.list()).map((entry) => entry.id)).toEqual(["alice"]);
        expect(yield* modeOf(directory)).toBe(0o777);
      }),
    ),
  );

  it.live("a directory others can only read is still tightened to 0700; a new one is 0700", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const parent = yield* tempDirectory;
        const fresh = join(parent, "fresh");
        yield* FileTokenStore.make({ directory: fresh });
        expect(yield* modeOf(fresh)).toBe(0o700);
        const readable = join(parent, "readable");
        yield* Effect.promise(() => mkdir(readable, { mode: 0o755 }));
        yield* Effect.promise(() => chmod(readable, 0o755));
        yield* Effect.promise(() => writeFile(join(readable, "ignored.txt"), "x"));
        yield* FileTokenStore.make({ directory: readable });
        expect(yield* modeOf(readable)).toBe(0o700);
      }),
    ),
  );
});
