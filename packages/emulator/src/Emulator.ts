/**
 * `startEmulator`: wires the clock, token registry, rate limiter, fault queue and request log to
 * a node:http server and returns the in-process handle tests drive. `close()` also destroys
 * hanging and dripping connections so test runs end.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type EmulatorClock, FollowingClock, ManualClock } from "./Clock.ts";
import { answerControl } from "./ControlApi.ts";
import type {
  CreateClientOptions,
  Emulator,
  EmulatorClient,
  EmulatorConfigPatch,
  EmulatorOptions,
  EmulatorSettings,
  IssuedTokens,
  IssueTokensOptions,
} from "./EmulatorApi.ts";
import { type EmulatorRoute, type Fault, FaultQueue } from "./Faults.ts";
import { checkRateLimitPatch, DEFAULT_RATE_LIMIT, RateLimiter } from "./RateLimiter.ts";
import { type LoggedRequest, RequestLog } from "./RequestLog.ts";
import { handleRequest, type PipelineContext } from "./RequestPipeline.ts";
import type { RouteSettings } from "./routes/RouteContext.ts";
import { expiresIn } from "./routes/TokenEndpoint.ts";
import { TokenRegistry, type TokenSet, type TokenState } from "./TokenRegistry.ts";
import {
  DOCUMENTED_VARIANTS,
  parseVariants,
  ROTATION_GRACE_MS,
  type Variants,
  variantsForSeed,
} from "./Variants.ts";

/** Default refresh-token lifetime: 60 days, as Miro documents. */
export const DEFAULT_REFRESH_TOKEN_TTL_SECONDS = 60 * 24 * 60 * 60;

/** The public view of a token set. */
const toIssuedTokens = (set: TokenSet): IssuedTokens => ({
  accessToken: set.accessToken,
  ...(set.refreshToken === undefined ? {} : { refreshToken: set.refreshToken }),
  ...(set.accessTtlSeconds === undefined ? {} : { expiresIn: expiresIn(set.accessTtlSeconds) }),
  clientId: set.clientId,
  userId: set.userId,
  teamId: set.teamId,
  scope: set.scopes.join(" "),
});

const toClient = ({ clientId, clientSecret, redirectUris }: EmulatorClient): EmulatorClient => ({
  clientId,
  clientSecret,
  redirectUris: [...redirectUris],
});

const positiveInteger = (value: number, name: string): number => {
  if (!(Number.isInteger(value) && value > 0))
    throw new TypeError(`${name} must be a positive integer, got ${value}`);
  return value;
};

class RunningEmulator implements Emulator {
  readonly clock: EmulatorClock;
  readonly #registry: TokenRegistry;
  readonly #lifetimes: ConstructorParameters<typeof TokenRegistry>[1];
  readonly #limiter: RateLimiter;
  readonly #faults = new FaultQueue();
  readonly #log = new RequestLog();
  readonly #routeSettings: RouteSettings;
  #variantSeed: number | undefined;
  readonly #closing = new AbortController();
  readonly #server: Server;
  #port = 0;
  #host = "127.0.0.1";
  seed: { client: EmulatorClient; tokens: IssuedTokens } | undefined;

  constructor(options: EmulatorOptions) {
    if (options.clock !== undefined && options.clock !== "frozen" && options.clock !== "real") {
      throw new TypeError(`clock must be "frozen" or "real", got ${String(options.clock)}`);
    }
    const start = options.now ?? Date.now();
    this.clock = options.clock === "real" ? new FollowingClock(start) : new ManualClock(start);
    this.#lifetimes = {
      accessTokenTtlSeconds: positiveInteger(
        options.accessTokenTtlSeconds ?? 3600,
        "accessTokenTtlSeconds",
      ),
      refreshTokenTtlSeconds: positiveInteger(
        options.refreshTokenTtlSeconds ?? DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
        "refreshTokenTtlSeconds",
      ),
      rotationGraceMs: 0,
    };
    this.#registry = new TokenRegistry(this.clock, this.#lifetimes);
    this.#limiter = new RateLimiter(this.clock, { ...DEFAULT_RATE_LIMIT });
    this.#routeSettings = { v1Revoke: "available", variants: { ...DOCUMENTED_VARIANTS } };
    this.configure({
      ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
      ...(options.v1Revoke === undefined ? {} : { v1Revoke: options.v1Revoke }),
      ...(options.variantSeed === undefined ? {} : { variantSeed: options.variantSeed }),
      ...(options.variants === undefined ? {} : { variants: options.variants }),
      ...(options.retryAfterOn429 === undefined
        ? {}
        : { retryAfterOn429: options.retryAfterOn429 }),
    });
    if (options.seed ?? true) {
      const client = this.createClient();
      this.seed = { client, tokens: this.issueTokens({ clientId: client.clientId }) };
    }
    const context: PipelineContext = {
      registry: this.#registry,
      clock: this.clock,
      settings: this.#routeSettings,
      limiter: this.#limiter,
      faults: this.#faults,
      log: this.#log,
      retryAfterOn429: () => this.#routeSettings.variants.retryAfter === "present",
      closing: this.#closing.signal,
      control: (call) => answerControl(this, call),
    };
    this.#server = createServer({ keepAlive: true }, (req, res) => {
      void handleRequest(req, res, context);
    });
    this.#server.keepAliveTimeout = 5_000;
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    this.#host = host;
  }

  get port(): number {
    return this.#port;
  }

  get baseUrl(): string {
    const host = this.#host.includes(":") ? `[${this.#host}]` : this.#host;
    return `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${this.#port}`;
  }

  createClient(options: CreateClientOptions = {}): EmulatorClient {
    return toClient(this.#registry.createClient(options));
  }

  issueTokens(options: IssueTokensOptions = {}): IssuedTokens {
    const clientId =
      options.clientId ??
      this.seed?.client.clientId ??
      this.#registry.firstClient()?.clientId ??
      this.createClient().clientId;
    return toIssuedTokens(
      this.#registry.issue({
        clientId,
        expiring: options.expiring ?? true,
        scopes: options.scopes,
        userId: options.userId,
        teamId: options.teamId,
        accessTokenTtlSeconds: options.accessTokenTtlSeconds,
      }),
    );
  }

  queueFault(route: EmulatorRoute, fault: Fault, times = 1): void {
    this.#faults.queue(route, fault, times);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  configure(patch: EmulatorConfigPatch): void {
    if (
      patch.v1Revoke !== undefined &&
      patch.v1Revoke !== "available" &&
      patch.v1Revoke !== "gone"
    ) {
      throw new TypeError(`v1Revoke must be "available" or "gone", got ${String(patch.v1Revoke)}`);
    }
    if (patch.retryAfterOn429 !== undefined && typeof patch.retryAfterOn429 !== "boolean") {
      throw new TypeError("retryAfterOn429 must be a boolean");
    }
    const rate = patch.rateLimit ?? {};
    checkRateLimitPatch(rate);
    const seeded = patch.variantSeed === undefined ? undefined : variantsForSeed(patch.variantSeed);
    const explicit = patch.variants === undefined ? {} : parseVariants(patch.variants);
    const variants: Variants = {
      ...(seeded ?? this.#routeSettings.variants),
      ...explicit,
      ...(patch.retryAfterOn429 === undefined
        ? {}
        : { retryAfter: patch.retryAfterOn429 ? "present" : "absent" }),
    };
    if (patch.variantSeed !== undefined) this.#variantSeed = patch.variantSeed;
    this.#routeSettings.variants = variants;
    this.#lifetimes.rotationGraceMs = variants.rotationGrace === "60s" ? ROTATION_GRACE_MS : 0;
    if (patch.v1Revoke !== undefined) this.#routeSettings.v1Revoke = patch.v1Revoke;
    if (rate.creditsPerMinute !== undefined)
      this.#limiter.settings.creditsPerMinute = rate.creditsPerMinute;
    if (rate.costPerRequest !== undefined)
      this.#limiter.settings.costPerRequest = rate.costPerRequest;
  }

  settings(): EmulatorSettings {
    const { variants } = this.#routeSettings;
    return {
      v1Revoke: this.#routeSettings.v1Revoke,
      retryAfterOn429: variants.retryAfter === "present",
      rateLimit: { ...this.#limiter.settings },
      variants: { ...variants },
      ...(this.#variantSeed === undefined ? {} : { variantSeed: this.#variantSeed }),
      clock: this.clock instanceof FollowingClock ? "real" : "frozen",
    };
  }

  accessTokenState(token: string): TokenState {
    return this.#registry.accessTokenState(token);
  }

  refreshTokenState(token: string): TokenState {
    return this.#registry.refreshTokenState(token);
  }

  revokeAccess(accessToken: string): void {
    const set = this.#registry.findByAccessToken(accessToken);
    if (set !== undefined && set.status === "live") this.#registry.revoke(set);
  }

  get requests(): ReadonlyArray<LoggedRequest> {
    return this.#log.list();
  }

  clearRequests(): void {
    this.#log.clear();
  }

  connectionCount(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.getConnections((error, count) => (error ? reject(error) : resolve(count)));
    });
  }

  async close(): Promise<void> {
    this.#closing.abort();
    const closed = new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
    });
    this.#server.closeAllConnections();
    await closed;
  }
}

/** Starts an emulator listening on `options.host`:`options.port` (default 127.0.0.1, a free port). */
export const startEmulator = async (options: EmulatorOptions = {}): Promise<Emulator> => {
  const emulator = new RunningEmulator(options);
  await emulator.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  return emulator;
};
