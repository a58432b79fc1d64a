/**
 * The public, in-process API of the emulator: options, the handle `startEmulator` resolves to,
 * and the shapes it hands out. Other packages code against these names; keep them stable.
 */
import type { EmulatorClock } from "./Clock.ts";
import type { EmulatorRoute, Fault } from "./Faults.ts";
import type { RateLimitSettings } from "./RateLimiter.ts";
import type { LoggedRequest } from "./RequestLog.ts";
import type { TokenState } from "./TokenRegistry.ts";
import type { Variants } from "./Variants.ts";

/** Options of `startEmulator`. */
export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default "127.0.0.1" */
  host?: string;
  /** Initial emulator clock, epoch ms. @default Date.now() */
  now?: number;
  /**
   * "frozen": the clock moves only through `clock.advance`/`clock.set` (tests); "real": it
   * follows real time from `now`, and `advance`/`set` still move it. The binary uses "real".
   * @default "frozen"
   */
  clock?: "frozen" | "real";
  /**
   * Picks one value per variant dimension (see the README), the same for the same seed.
   * @default none: the documented contract
   */
  variantSeed?: number;
  /** Variant values; override what `variantSeed` picked. */
  variants?: Partial<Variants>;
  /** Access-token lifetime; responses say `expires_in: ttl - 1` (3599 like Miro). @default 3600 */
  accessTokenTtlSeconds?: number;
  /** Refresh-token lifetime. @default 5184000 (60 days) */
  refreshTokenTtlSeconds?: number;
  /** Credit bucket per user per app. @default { creditsPerMinute: 100000, costPerRequest: 50 } */
  rateLimit?: { creditsPerMinute?: number; costPerRequest?: number };
  /** Shorthand for the `retryAfter` variant (Miro does not document `Retry-After`). @default false */
  retryAfterOn429?: boolean;
  /** "gone" makes `POST /v1/oauth/revoke` answer 404, as after Miro retires it. @default "available" */
  v1Revoke?: "available" | "gone";
  /** Create one app client and one expiring token set at start. @default true */
  seed?: boolean;
}

/** A registered app client. */
export interface EmulatorClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Registered redirect URIs; empty means any `http://127.0.0.1:*` / `http://localhost:*` URI. */
  readonly redirectUris: ReadonlyArray<string>;
}

/** Options of `createClient`. */
export interface CreateClientOptions {
  clientId?: string;
  clientSecret?: string;
  redirectUris?: ReadonlyArray<string>;
  /** Whether the OAuth flow issues expiring tokens (with refresh tokens). @default true */
  expiringTokens?: boolean;
}

/** Options of `issueTokens`. */
export interface IssueTokensOptions {
  /** @default the seed client (or the first registered one; one is created if none exists) */
  clientId?: string;
  /** Expiring token with a refresh token, or a non-expiring one without. @default true */
  expiring?: boolean;
  /** @default ["boards:read", "boards:write"] */
  scopes?: ReadonlyArray<string>;
  /** @default the emulator's default user */
  userId?: string;
  /** A string of digits. @default the emulator's default team */
  teamId?: string;
  /** @default the emulator's accessTokenTtlSeconds */
  accessTokenTtlSeconds?: number;
}

/** A token set as handed to tests. `expiresIn` and `refreshToken` only for expiring tokens. */
export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresIn?: number;
  readonly clientId: string;
  readonly userId: string;
  readonly teamId: string;
  /** Space-separated scopes, as in Miro's token response. */
  readonly scope: string;
}

/** Settings that can change while the emulator runs. */
export interface EmulatorConfigPatch {
  v1Revoke?: "available" | "gone";
  /** Shorthand for the `retryAfter` variant. */
  retryAfterOn429?: boolean;
  /** Re-pick every variant from this seed (then `variants` overrides). */
  variantSeed?: number;
  /** Set these variants (after `variantSeed`). */
  variants?: Partial<Variants>;
  rateLimit?: { creditsPerMinute?: number; costPerRequest?: number };
}

/** The effective runtime settings (answer of `POST /__emulator/config`). */
export interface EmulatorSettings {
  readonly v1Revoke: "available" | "gone";
  readonly retryAfterOn429: boolean;
  readonly rateLimit: Readonly<RateLimitSettings>;
  /** The variant in force for every dimension. */
  readonly variants: Readonly<Variants>;
  /** The last seed variants were picked from, if any. */
  readonly variantSeed?: number;
  readonly clock: "frozen" | "real";
}

/** A running emulator. */
export interface Emulator {
  /** "http://127.0.0.1:PORT" */
  readonly baseUrl: string;
  readonly port: number;
  /** The seeded client and expiring token set, unless started with `seed: false`. */
  readonly seed: { client: EmulatorClient; tokens: IssuedTokens } | undefined;
  /** The clock every expiry and rate-limit window runs on. */
  readonly clock: EmulatorClock;
  /** Registers an app client; throws TypeError on a duplicate id or a bad redirect URI. */
  createClient(options?: CreateClientOptions): EmulatorClient;
  /** Issues a token set directly, as if a user had authorized the app. */
  issueTokens(options?: IssueTokensOptions): IssuedTokens;
  /** Queues `fault` for the next `times` (default 1) requests to `route`; consumed in order. */
  queueFault(route: EmulatorRoute, fault: Fault, times?: number): void;
  /** Drops every queued fault. */
  clearFaults(): void;
  /** Changes runtime settings. */
  configure(patch: EmulatorConfigPatch): void;
  /** The state of an access token now. */
  accessTokenState(token: string): TokenState;
  /** The state of a refresh token now. */
  refreshTokenState(token: string): TokenState;
  /** Revokes a token behind the client's back (like a user uninstalling the app). No-op if dead. */
  revokeAccess(accessToken: string): void;
  /** The masked request log (control API calls excluded), oldest first. */
  readonly requests: ReadonlyArray<LoggedRequest>;
  /** Empties the request log. */
  clearRequests(): void;
  /** The current runtime settings. */
  settings(): EmulatorSettings;
  /** How many TCP connections are open right now (for leak tests). */
  connectionCount(): Promise<number>;
  /** Closes the listener and every open, hanging or dripping connection. */
  close(): Promise<void>;
}
