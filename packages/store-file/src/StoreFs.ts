/**
 * The file-system seam of the store: the subset of `node:fs/promises` it calls, and one
 * wrapper that turns a rejected call into a `StoreError` whose reason is the errno code and the
 * step (`ENOSPC (write)`), never the error's message — messages can quote paths and, for JSON,
 * file contents.
 *
 * Tests pass their own implementation (usually the real module with chosen calls failing) to
 * inject ENOSPC, EIO or EACCES on write, fsync or rename.
 *
 * @since 0.1.0
 */
import * as nodeFs from "node:fs/promises";
import { StoreError } from "@miro-token/core";
import { Effect } from "effect";
import { errnoCode } from "./files/Errno.ts";

/**
 * The calls the store makes. Reads, writes, fsyncs, chmods and heartbeats go through the
 * `FileHandle` that `open` returns, so wrapping `open` is enough to fail any of them.
 *
 * @category models
 * @since 0.1.0
 */
export type StoreFs = Pick<
  typeof nodeFs,
  "open" | "rename" | "unlink" | "mkdir" | "chmod" | "stat" | "lstat" | "readdir"
>;

/**
 * The real file system.
 *
 * @category constructors
 * @since 0.1.0
 */
export const nodeStoreFs: StoreFs = nodeFs;

/**
 * A `StoreError` for `operation` that says only what failed (`reason`).
 *
 * @category errors
 * @since 0.1.0
 */
export const storeError = (operation: string, reason: string): StoreError =>
  new StoreError({ operation, reason, attempts: 0 });

/**
 * Run one fs call; a rejection becomes `StoreError{operation, reason: "<ERRNO> (<step>)"}`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const fsCall = <A>(
  operation: string,
  step: string,
  call: () => Promise<A>,
): Effect.Effect<A, StoreError> =>
  Effect.tryPromise({
    try: call,
    catch: (cause) => storeError(operation, `${errnoCode(cause) ?? "unexpected error"} (${step})`),
  });

/**
 * Like {@link fsCall}, but an error with one of the `tolerated` codes succeeds with
 * `undefined` (e.g. ENOENT when removing a file that may be gone already).
 *
 * @category combinators
 * @since 0.1.0
 */
export const fsCallTolerating = <A>(
  operation: string,
  step: string,
  tolerated: ReadonlyArray<string>,
  call: () => Promise<A>,
): Effect.Effect<A | undefined, StoreError> =>
  Effect.tryPromise({
    try: () =>
      call().catch((cause: unknown) => {
        const code = errnoCode(cause);
        if (code !== undefined && tolerated.includes(code)) return undefined;
        throw cause;
      }),
    catch: (cause) => storeError(operation, `${errnoCode(cause) ?? "unexpected error"} (${step})`),
  });
