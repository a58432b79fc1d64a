/**
 * Everything the emulated Miro authorization server knows: registered app clients, issued token
 * sets (an access token with its optional refresh token) and pending authorization codes. States
 * are computed on the emulator clock. Dead token sets (revoked or rotated) are remembered so
 * their state reads "revoked"/"rotated", up to a cap; beyond it the oldest are forgotten
 * ("unknown"), which keeps memory bounded however many refreshes a test runs.
 */
import type { EmulatorClock } from "./Clock.ts";
import { isDigitId, newClientSecret, newMiroId, newMiroToken } from "./Identifiers.ts";

/** An app client registered with the emulator. */
export interface ClientRecord {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Exact redirect URIs; empty means "any http loopback URI" (127.0.0.1 / localhost, any port). */
  readonly redirectUris: ReadonlyArray<string>;
  /** Whether tokens issued through the OAuth flow expire (Miro's "expire user authorization token"). */
  readonly expiringTokens: boolean;
}

/** The lifecycle state of a token as the emulator sees it. */
export type TokenState = "active" | "expired" | "revoked" | "rotated" | "unknown";

/** One issued access token and, for expiring tokens, its refresh token. */
export interface TokenSet {
  readonly clientId: string;
  readonly userId: string;
  readonly teamId: string;
  readonly organizationId: string;
  readonly scopes: ReadonlyArray<string>;
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly accessTtlSeconds: number | undefined;
  readonly accessExpiresAt: number | undefined;
  readonly refreshExpiresAt: number | undefined;
  status: "live" | "revoked" | "rotated";
  /** When it was revoked or rotated (emulator clock). */
  diedAt?: number;
}

/** A pending, single-use authorization code. */
export interface AuthorizationCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly userId: string;
  readonly teamId: string;
  readonly scopes: ReadonlyArray<string>;
  readonly expiresAt: number;
}

/** What a new token set is made of; omitted fields fall back to the registry's defaults. */
export interface TokenSetSpec {
  readonly clientId: string;
  readonly expiring: boolean;
  readonly scopes?: ReadonlyArray<string> | undefined;
  readonly userId?: string | undefined;
  readonly teamId?: string | undefined;
  readonly accessTokenTtlSeconds?: number | undefined;
}

/** Token lifetimes, read on every issue so `configure` can change them. */
export interface TokenLifetimes {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** How long a rotated access token keeps working (the `rotationGrace` variant); 0: none. */
  rotationGraceMs: number;
}

/** Authorization codes live 10 minutes (documented by Miro). */
export const CODE_TTL_MS = 10 * 60 * 1000;
/** Scopes granted when none are asked for. */
export const DEFAULT_SCOPES: ReadonlyArray<string> = ["boards:read", "boards:write"];
const MAX_DEAD_SETS = 10_000;
const MAX_PENDING_CODES = 10_000;

/** The emulator's store of clients, tokens and codes. */
export class TokenRegistry {
  readonly #clock: EmulatorClock;
  readonly #lifetimes: TokenLifetimes;
  readonly #clients = new Map<string, ClientRecord>();
  readonly #byAccess = new Map<string, TokenSet>();
  readonly #byRefresh = new Map<string, TokenSet>();
  readonly #dead = new Set<TokenSet>();
  readonly #codes = new Map<string, AuthorizationCode>();
  /** The user every auto-approved authorization acts for, unless told otherwise. */
  readonly defaultUserId = newMiroId();
  /** The team tokens belong to unless told otherwise. */
  readonly defaultTeamId = newMiroId();

  /** A registry on `clock` using `lifetimes` (shared, mutable configuration). */
  constructor(clock: EmulatorClock, lifetimes: TokenLifetimes) {
    this.#clock = clock;
    this.#lifetimes = lifetimes;
  }

  /** Registers a client; throws if the id is taken or malformed. */
  createClient(spec: Partial<ClientRecord>): ClientRecord {
    const clientId = spec.clientId ?? newMiroId();
    if (clientId.length === 0) throw new TypeError("clientId must not be empty");
    if (this.#clients.has(clientId)) throw new TypeError(`client ${clientId} already exists`);
    for (const uri of spec.redirectUris ?? []) {
      if (!URL.canParse(uri)) throw new TypeError(`redirect URI is not a URL: ${uri}`);
    }
    const client: ClientRecord = {
      clientId,
      clientSecret: spec.clientSecret ?? newClientSecret(),
      redirectUris: [...(spec.redirectUris ?? [])],
      expiringTokens: spec.expiringTokens ?? true,
    };
    this.#clients.set(clientId, client);
    return client;
  }

  /** The client with this id, if registered. */
  client(clientId: string): ClientRecord | undefined {
    return this.#clients.get(clientId);
  }

  /** The first registered client, if any. */
  firstClient(): ClientRecord | undefined {
    return this.#clients.values().next().value;
  }

  /** Every registered client secret (used to mask them in the request log). */
  clientSecrets(): ReadonlyArray<string> {
    return [...this.#clients.values()].map((client) => client.clientSecret);
  }

  /** The client if `clientId` is registered and `clientSecret` is its secret. */
  authenticate(clientId: string, clientSecret: string): ClientRecord | undefined {
    const client = this.#clients.get(clientId);
    return client !== undefined && client.clientSecret === clientSecret ? client : undefined;
  }

  /** Issues a new token set; throws on an unknown client or malformed ids/TTL. */
  issue(spec: TokenSetSpec): TokenSet {
    if (!this.#clients.has(spec.clientId)) throw new TypeError(`unknown client ${spec.clientId}`);
    const teamId = spec.teamId ?? this.defaultTeamId;
    const userId = spec.userId ?? this.defaultUserId;
    if (!isDigitId(teamId)) throw new TypeError(`teamId must be a string of digits, got ${teamId}`);
    if (userId.length === 0) throw new TypeError("userId must not be empty");
    const ttl = spec.expiring
      ? (spec.accessTokenTtlSeconds ?? this.#lifetimes.accessTokenTtlSeconds)
      : undefined;
    if (ttl !== undefined && !(Number.isInteger(ttl) && ttl > 0)) {
      throw new TypeError(`accessTokenTtlSeconds must be a positive integer, got ${ttl}`);
    }
    const now = this.#clock.now();
    const set: TokenSet = {
      clientId: spec.clientId,
      userId,
      teamId,
      organizationId: `3458764${teamId.slice(-12).padStart(12, "0")}`,
      scopes: [...(spec.scopes ?? DEFAULT_SCOPES)],
      accessToken: newMiroToken(),
      refreshToken: spec.expiring ? newMiroToken() : undefined,
      accessTtlSeconds: ttl,
      accessExpiresAt: ttl === undefined ? undefined : now + ttl * 1000,
      refreshExpiresAt: spec.expiring
        ? now + this.#lifetimes.refreshTokenTtlSeconds * 1000
        : undefined,
      status: "live",
    };
    this.#byAccess.set(set.accessToken, set);
    if (set.refreshToken !== undefined) this.#byRefresh.set(set.refreshToken, set);
    return set;
  }

  /** The token set an access token belongs to (any state), if remembered. */
  findByAccessToken(token: string): TokenSet | undefined {
    return this.#byAccess.get(token);
  }

  /** The token set a refresh token belongs to (any state), if remembered. */
  findByRefreshToken(token: string): TokenSet | undefined {
    return this.#byRefresh.get(token);
  }

  /** The state of an access token now. */
  accessTokenState(token: string): TokenState {
    const set = this.#byAccess.get(token);
    const state = this.#stateOf(set, (live) => live.accessExpiresAt);
    const graceEnds = (set?.diedAt ?? 0) + this.#lifetimes.rotationGraceMs;
    if (state !== "rotated" || set === undefined || graceEnds <= this.#clock.now()) return state;
    return this.#stateOf({ ...set, status: "live" }, (live) => live.accessExpiresAt);
  }

  /** The state of a refresh token now. */
  refreshTokenState(token: string): TokenState {
    return this.#stateOf(this.#byRefresh.get(token), (set) => set.refreshExpiresAt);
  }

  /** Revokes a token set: its access token and its refresh token stop working. */
  revoke(set: TokenSet): void {
    this.#kill(set, "revoked");
  }

  /** Rotates a token set: the old access and refresh tokens die, a new set takes their place. */
  rotate(set: TokenSet): TokenSet {
    this.#kill(set, "rotated");
    return this.issue({
      clientId: set.clientId,
      expiring: true,
      scopes: set.scopes,
      userId: set.userId,
      teamId: set.teamId,
      accessTokenTtlSeconds: set.accessTtlSeconds,
    });
  }

  /** Records a new single-use authorization code valid for 10 minutes; returns the code. */
  issueCode(grant: Omit<AuthorizationCode, "expiresAt">): string {
    const now = this.#clock.now();
    for (const [code, pending] of this.#codes) {
      if (pending.expiresAt <= now || this.#codes.size >= MAX_PENDING_CODES)
        this.#codes.delete(code);
    }
    const code = newMiroToken();
    this.#codes.set(code, { ...grant, expiresAt: now + CODE_TTL_MS });
    return code;
  }

  /** Consumes a code: returns its grant if it exists and has not expired; it can't be used again. */
  redeemCode(code: string): AuthorizationCode | undefined {
    const grant = this.#codes.get(code);
    this.#codes.delete(code);
    return grant !== undefined && grant.expiresAt > this.#clock.now() ? grant : undefined;
  }

  /** Pending (unexpired or not yet swept) codes, for log masking. */
  pendingCodes(): Iterable<string> {
    return this.#codes.keys();
  }

  #stateOf(
    set: TokenSet | undefined,
    expiresAt: (set: TokenSet) => number | undefined,
  ): TokenState {
    if (set === undefined) return "unknown";
    if (set.status !== "live") return set.status;
    const at = expiresAt(set);
    return at !== undefined && at <= this.#clock.now() ? "expired" : "active";
  }

  #kill(set: TokenSet, status: "revoked" | "rotated"): void {
    set.status = status;
    set.diedAt = this.#clock.now();
    this.#dead.add(set);
    for (const old of this.#dead) {
      if (this.#dead.size <= MAX_DEAD_SETS) break;
      this.#dead.delete(old);
      this.#byAccess.delete(old.accessToken);
      if (old.refreshToken !== undefined) this.#byRefresh.delete(old.refreshToken);
    }
  }
}
