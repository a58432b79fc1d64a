/**
 * `miro-token emulator`: runs the Miro token API emulator (`@miro-token/emulator`, loaded only
 * for this command) until interrupted, and prints how to reach it. The seeded tokens and client
 * secret are shown as fingerprints unless `--show-token`; the control API (`/__emulator/seed`)
 * hands them to scripts.
 */

import { fingerprint } from "@miro-token/core";
import type { Emulator } from "@miro-token/emulator";
import { errnoCode } from "@miro-token/store-file/files";
import { Effect, type Scope } from "effect";
import { UsageError } from "../Failure.ts";
import { type OutputMode, printJson, printLines, table } from "../Output.ts";
import { checkPort } from "../PortOption.ts";

/** Start an emulator that lives as long as the scope. */
export const startEmulatorScoped = (options: {
  readonly port: number;
  readonly host?: string;
  readonly accessTokenTtlSeconds?: number;
  readonly now?: number;
  /** "real" follows real time (a long-running emulator); default: frozen. */
  readonly clock?: "frozen" | "real";
}): Effect.Effect<Emulator, UsageError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const { startEmulator } = await import("@miro-token/emulator");
        return startEmulator({
          port: options.port,
          host: options.host ?? "127.0.0.1",
          ...(options.accessTokenTtlSeconds === undefined
            ? {}
            : { accessTokenTtlSeconds: options.accessTokenTtlSeconds }),
          ...(options.now === undefined ? {} : { now: options.now }),
          ...(options.clock === undefined ? {} : { clock: options.clock }),
        });
      },
      catch: (error) => {
        const code = errnoCode(error);
        return new UsageError({
          reason: `cannot start the emulator on port ${options.port}${code === undefined ? "" : ` (${code})`}`,
        });
      },
    }),
    (emulator) => Effect.promise(() => emulator.close()),
  );

/** Run the emulator until interrupted. */
export const runEmulator = (
  mode: OutputMode,
  options: { readonly port: number; readonly host: string; readonly showToken: boolean },
): Effect.Effect<never, UsageError, Scope.Scope> =>
  Effect.gen(function* () {
    yield* checkPort(options.port);
    // Its clock follows real time, so rate-limit windows reset and tokens expire as at Miro.
    const emulator = yield* startEmulatorScoped({ ...options, clock: "real" });
    const seed = emulator.seed;
    const access = seed === undefined ? undefined : yield* fingerprint(seed.tokens.accessToken);
    const secrets =
      options.showToken && seed !== undefined
        ? {
            accessToken: seed.tokens.accessToken,
            refreshToken: seed.tokens.refreshToken,
            clientSecret: seed.client.clientSecret,
          }
        : undefined;
    if (mode.json) {
      yield* printJson({
        ok: true,
        command: "emulator",
        baseUrl: emulator.baseUrl,
        controlApi: `${emulator.baseUrl}/__emulator/`,
        clientId: seed?.client.clientId ?? null,
        token:
          access === undefined ? null : { fingerprint: access, expiresIn: seed?.tokens.expiresIn },
        ...(secrets === undefined ? {} : { secrets }),
      });
    } else {
      yield* printLines([
        ...table(mode, [
          ["Miro token emulator", emulator.baseUrl],
          ["control API", `${emulator.baseUrl}/__emulator/`],
          ["client id", seed?.client.clientId ?? "-"],
          ["seeded token", access === undefined ? "-" : `${access} (fingerprint)`],
          ...(secrets === undefined
            ? [["secrets", "hidden; use --show-token, or GET /__emulator/seed"] as const]
            : ([
                ["access token", secrets.accessToken],
                ["refresh token", secrets.refreshToken ?? "-"],
                ["client secret", secrets.clientSecret],
              ] as const)),
        ]),
        "Press Ctrl+C to stop.",
      ]);
    }
    return yield* Effect.never;
  });
