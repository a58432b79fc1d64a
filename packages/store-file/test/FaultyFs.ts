// A real node:fs/promises whose chosen calls fail: the next temp-file `write` (after writing
// half its data, as a full disk would), `fsync` or `rename` rejects with an errno error.
import type { FileHandle } from "node:fs/promises";
import { nodeStoreFs, type StoreFs } from "../src/index.ts";

/** Where a fault is injected. */
export type FaultStep = "write" | "fsync" | "rename";

/** A wrapped fs and the switch that arms its next fault. */
export interface FaultyFs {
  readonly fs: StoreFs;
  /** Fail the next `step` on a temp file with `code`. */
  readonly arm: (step: FaultStep, code: string) => void;
  /** How many faults were injected so far. */
  readonly injected: () => number;
}

const errnoError = (code: string, syscall: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: injected fault, ${syscall}`), { code, syscall });

/** A fs that fails on demand. */
export const makeFaultyFs = (): FaultyFs => {
  let armed: { step: FaultStep; code: string } | undefined;
  let injected = 0;
  const take = (step: FaultStep): string | undefined => {
    if (armed?.step !== step) return undefined;
    const code = armed.code;
    armed = undefined;
    injected++;
    return code;
  };
  const wrapHandle = (handle: FileHandle): FileHandle =>
    new Proxy(handle, {
      get(target, property) {
        if (property === "writeFile") {
          return async (data: string, encoding?: BufferEncoding) => {
            const code = take("write");
            if (code === undefined) return target.writeFile(data, encoding);
            await target.writeFile(data.slice(0, data.length / 2), encoding);
            throw errnoError(code, "write");
          };
        }
        if (property === "sync") {
          return async () => {
            const code = take("fsync");
            if (code === undefined) return target.sync();
            throw errnoError(code, "fsync");
          };
        }
        const value = Reflect.get(target, property) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  const fs: StoreFs = {
    ...nodeStoreFs,
    open: (async (...args: Parameters<StoreFs["open"]>) => {
      const handle = await nodeStoreFs.open(...args);
      return String(args[0]).endsWith(".tmp") ? wrapHandle(handle) : handle;
    }) as StoreFs["open"],
    rename: async (from, to) => {
      const code = take("rename");
      if (code !== undefined) throw errnoError(code, "rename");
      return nodeStoreFs.rename(from, to);
    },
  };
  return {
    fs,
    arm: (step, code) => {
      armed = { step, code };
    },
    injected: () => injected,
  };
};
