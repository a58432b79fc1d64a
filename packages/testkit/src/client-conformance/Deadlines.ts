/**
 * The deadline tests (RELIABILITY target 5). Unlike the rest of the suite they run on the real
 * clock with the adapter's own attempt timer: a hang or a slow drip must end in a typed timeout
 * within the caller's deadline plus a small margin, whatever the retry policy would like.
 */
import { expect } from "@effect/vitest";
import { Effect, Redacted } from "effect";
import { call, failureOf } from "./Call.ts";
import type { ClientIt } from "./ClientHarness.ts";
import { fresh } from "./FreshCase.ts";

/** Registers a hang and a drip against a 1.5 s deadline, on the live clock. */
export const deadlineTests = (it: ClientIt): void => {
  for (const fault of [{ kind: "hang" }, { kind: "drip", intervalMs: 200 }] as const) {
    it.effect(`deadline on the real clock: ${fault.kind} settles within deadline + 250 ms`, () =>
      Effect.gen(function* () {
        const { emulator, tokens, secrets } = yield* fresh();
        emulator.queueFault("token-info", fault, 10);
        const deadline = 1_500;
        const started = Date.now();
        const error = failureOf(
          yield* call((c) => c.info(Redacted.make(tokens.accessToken)), {
            credentials: false,
            secrets,
            live: {
              attemptTimeout: "400 millis",
              deadline,
              retry: { delay: "50 millis", backoffLimit: "100 millis" },
            },
          }),
        );
        expect(Date.now() - started).toBeLessThanOrEqual(deadline + 250);
        expect(error).toMatchObject({ _tag: "TransportError", kind: "Timeout", attempts: 3 });
      }),
    );
  }
};
