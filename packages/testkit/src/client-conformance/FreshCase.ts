/**
 * How each client conformance test starts: a clean emulator (no faults, no request log, the
 * given variant profile, the default rate limit), fresh tokens, and the TestClock set to the
 * emulator's wall time. Also the small reads tests make of the emulator afterwards.
 *
 * Variants: every test that depends on how Miro answers runs once per emulator variant profile
 * (the documented contract, then each undocumented alternative on its own, see the emulator
 * README): the client must rely on none of them. A `VariantCase` is one such run.
 */
import {
  DEFAULT_RATE_LIMIT,
  DOCUMENTED_VARIANTS,
  type Emulator,
  type EmulatorRoute,
  type Variants,
} from "@miro-token/emulator";
import { Effect } from "effect";
import { TestClock } from "effect/testing";
import { ClientHarness } from "./ClientHarness.ts";

/** Options of {@link fresh}. */
export interface FreshOptions {
  /** Issue tokens that expire (the default) or not. */
  readonly expiring?: boolean;
  /** The emulator's variant profile; the documented contract by default. */
  readonly variants?: Variants;
}

/** A fresh emulator state for a test (under `variants`), fresh tokens; TestClock on wall time. */
export const fresh = (options: FreshOptions = {}) =>
  Effect.gen(function* () {
    const { emulator } = yield* ClientHarness;
    emulator.clearFaults();
    emulator.clearRequests();
    emulator.configure({
      v1Revoke: "available",
      variants: options.variants ?? DOCUMENTED_VARIANTS,
      rateLimit: DEFAULT_RATE_LIMIT,
    });
    yield* TestClock.setTime(emulator.clock.now());
    const tokens = emulator.issueTokens({ expiring: options.expiring ?? true });
    const secrets = [
      tokens.accessToken,
      ...(tokens.refreshToken === undefined ? [] : [tokens.refreshToken]),
    ];
    return { emulator, tokens, secrets };
  });

/** One run of the variant-dependent tests: the profile, test titles and `fresh` under it. */
export interface VariantCase {
  /** The profile's variants. */
  readonly variants: Variants;
  /** A test title marked with the profile's name. */
  readonly at: (title: string) => string;
  /** {@link fresh} under this profile. */
  readonly fresh: (options?: { readonly expiring?: boolean }) => ReturnType<typeof fresh>;
}

/** The {@link VariantCase} of one emulator variant profile. */
export const variantCase = (profile: {
  readonly name: string;
  readonly variants: Variants;
}): VariantCase => ({
  variants: profile.variants,
  at: (title) => `[${profile.name}] ${title}`,
  fresh: (options = {}) => fresh({ ...options, variants: profile.variants }),
});

/** How many requests the emulator logged on `route`. */
export const requestsTo = (emulator: Emulator, route: EmulatorRoute): number =>
  emulator.requests.filter((request) => request.route === route).length;

/** An authorization code from the emulator's auto-approving `/oauth/authorize`. */
export const authorizationCode = (emulator: Emulator, redirectUri: string) =>
  Effect.promise(async () => {
    const client = emulator.seed?.client;
    if (client === undefined) throw new Error("the emulator has no seed client");
    const url = new URL("/oauth/authorize", emulator.baseUrl);
    url.searchParams.set("response_type", "code");
    url.searchParams.set("client_id", client.clientId);
    url.searchParams.set("redirect_uri", redirectUri);
    url.searchParams.set("state", "conformance");
    const response = await fetch(url, { redirect: "manual" });
    const location = response.headers.get("location");
    const code = location === null ? null : new URL(location).searchParams.get("code");
    if (code === null) throw new Error(`authorize answered ${response.status} without a code`);
    return code;
  });
