// The bounded file reader every file input goes through (tokens, secrets, token sets, store
// entries): a regular file of at most the cap, checked on the open descriptor; /dev/zero, a
// FIFO, a directory or an oversized file is refused at once, reading at most cap + 1 bytes.
import { execFileSync } from "node:child_process";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "@effect/vitest";
import { MAX_SECRET_INPUT_BYTES, MAX_TOKEN_ID_BYTES } from "@miro-token/core";
import { Effect, Option } from "effect";
import { readBoundedText, readFileInput } from "../src/files/index.ts";
import { tokenFileName } from "../src/StoreLayout.ts";
import { canaryTokenSet, openStore, tempDirectory } from "./StoreFixtures.ts";

const reasonOf = (path: string, options?: Parameters<typeof readFileInput>[1]) =>
  Effect.flip(readFileInput(path, options)).pipe(Effect.map((error) => error.reason));

describe("readFileInput", () => {
  it.live("reads a small regular file, through a symbolic link unless told not to", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDirectory;
        const file = join(dir, "secret");
        const link = join(dir, "link");
        yield* Effect.promise(() => writeFile(file, "s3cret\n"));
        yield* Effect.promise(() => symlink(file, link));
        expect(yield* readFileInput(file)).toBe("s3cret\n");
        expect(yield* readFileInput(link)).toBe("s3cret\n");
        expect(yield* reasonOf(link, { noFollow: true })).toBe("ELOOP");
      }),
    ),
  );

  it.live("refuses /dev/zero, a FIFO, a directory and an oversized file within a second", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDirectory;
        const fifo = join(dir, "fifo");
        execFileSync("mkfifo", [fifo]);
        const big = join(dir, "big");
        yield* Effect.promise(() => writeFile(big, "x".repeat(MAX_SECRET_INPUT_BYTES + 1)));
        yield* Effect.promise(() =>
          writeFile(join(dir, "exact"), "x".repeat(MAX_SECRET_INPUT_BYTES)),
        );
        const started = Date.now();
        expect(yield* reasonOf("/dev/zero")).toBe("not a regular file");
        expect(yield* reasonOf(fifo)).toBe("not a regular file");
        expect(yield* reasonOf(dir)).toBe("not a regular file");
        expect(yield* reasonOf(big)).toBe(`larger than ${MAX_SECRET_INPUT_BYTES} bytes`);
        expect(yield* reasonOf(join(dir, "missing"))).toBe("ENOENT");
        expect((yield* readFileInput(join(dir, "exact"))).length).toBe(MAX_SECRET_INPUT_BYTES);
        expect(Date.now() - started).toBeLessThan(1_000);
      }),
    ),
  );

  it("reads at most cap + 1 bytes of an endless file", async () => {
    let served = 0;
    const endless = {
      stat: async () => ({ isFile: () => true, size: 0, mtimeMs: 0 }),
      read: async (buffer: Uint8Array, offset: number, length: number) => {
        buffer.fill(120, offset, offset + length);
        served += length;
        return length;
      },
    };
    expect(await readBoundedText(endless, 1_000)).toEqual({ _tag: "TooLarge", maxBytes: 1_000 });
    expect(served).toBe(1_001);
  });
});

describe("the store reads its entries by the same rule", () => {
  it.live("a FIFO, a directory or an oversized file in place of an entry is a StoreError", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDirectory;
        const store = yield* openStore(dir);
        const path = (id: string) =>
          join(dir, tokenFileName(Buffer.from(id).toString("base64url")));
        execFileSync("mkfifo", [path("fifo")]);
        yield* Effect.promise(() => mkdir(path("dir")));
        yield* Effect.promise(() => writeFile(path("big"), " ".repeat(MAX_SECRET_INPUT_BYTES + 1)));
        for (const id of ["fifo", "dir", "big"]) {
          const error = yield* Effect.flip(store.get(id));
          expect(error._tag).toBe("StoreError");
          expect(error.reason).toMatch(/not a regular file|larger than 65536 bytes/);
        }
      }),
    ),
  );

  it.live("holds every id the shared rule allows, up to 128 bytes, and refuses longer", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* openStore(yield* tempDirectory);
        const longest = "x".repeat(MAX_TOKEN_ID_BYTES);
        const written = yield* store.compareAndSet(longest, 0, canaryTokenSet());
        expect(written._tag).toBe("Written");
        expect(Option.isSome(yield* store.get(longest))).toBe(true);
        const longer = yield* Effect.flip(store.get(`${longest}x`));
        expect(longer.reason).toBe("invalid id (the id is longer than 128 bytes)");
      }),
    ),
  );
});
