// One emulator for a test file (or a describe block): started before its tests, closed after.
// The returned value stands for the started emulator, so tests read `emulator.url` and the
// rest as they would on the instance itself; using it outside the tests is an error.
import { type Emulator, startEmulator } from "@miro-token/emulator";
import { afterAll, beforeAll } from "vitest";

/** Start an emulator on port 0 for the enclosing file or block (`timeoutMs` for a slow start). */
export const emulatorPerFile = (timeoutMs?: number): Emulator => {
  let started: Emulator | undefined;
  beforeAll(async () => {
    started = await startEmulator({ port: 0 });
  }, timeoutMs);
  afterAll(async () => {
    await started?.close();
  });
  return new Proxy({} as Emulator, {
    get: (_, key) => {
      if (started === undefined) throw new Error("the emulator is used outside its tests");
      const value: unknown = Reflect.get(started, key, started);
      return typeof value === "function" ? value.bind(started) : value;
    },
  });
};
