/**
 * `GET /v1/oauth-token`: what Miro knows about an access token. The token travels only in the
 * `Authorization` header (never `?access_token=`, which Miro also accepts).
 *
 * Outcomes: 200 → {@link TokenInfo}; 400/401 → {@link InvalidTokenError} with Miro's code;
 * 408/429/5xx and network failures → retried, at most 3 attempts; anything else →
 * {@link UnexpectedStatusError}; a 200 body that is not token info → {@link ResponseDecodeError}.
 *
 * @since 0.1.0
 */
import { Effect, type Redacted } from "effect";
import { InvalidTokenError, type TokenInfoError, UnexpectedStatusError } from "../Errors.ts";
import type { TransportRequest, TransportResponse } from "../HttpTransport.ts";
import type { MiroConfigShape } from "../MiroConfig.ts";
import { parseRateLimit, type RateLimit } from "../RateLimit.ts";
import { decodeTokenInfo, type TokenInfo } from "../TokenInfo.ts";
import { checkToken } from "../TokenText.ts";
import { endpointOf } from "../TransportError.ts";
import {
  type AttemptContext,
  type AttemptFailure,
  decodeSuccessBody,
  type FailureCause,
  finalStatus,
  isTransientStatus,
  transientStatusFailure,
} from "./AttemptFailure.ts";
import { type OperationServices, runOperation } from "./Attempts.ts";

/**
 * Attempts token info may make.
 *
 * @category constants
 * @since 0.1.0
 */
export const TOKEN_INFO_MAX_ATTEMPTS = 3;

/**
 * Token info and the rate-limit headers that came with it.
 *
 * @category models
 * @since 0.1.0
 */
export interface TokenInfoResult {
  readonly info: TokenInfo;
  readonly rateLimit: RateLimit | undefined;
}

/** What every token-info request of one configuration shares, built on its first call. */
interface Prepared {
  readonly url: string;
  readonly endpoint: string;
  readonly accept: string;
  readonly userAgent: string;
}

const preparedByConfig = new WeakMap<MiroConfigShape, Prepared>();

const prepare = (config: MiroConfigShape): Prepared => {
  let prepared = preparedByConfig.get(config);
  if (prepared === undefined) {
    const url = `${config.baseUrl}/v1/oauth-token`;
    prepared = {
      url,
      endpoint: endpointOf(url),
      accept: "application/json",
      userAgent: config.userAgent,
    };
    preparedByConfig.set(config, prepared);
  }
  return prepared;
};

const retryOn = (cause: FailureCause): boolean =>
  cause._tag === "Transport"
    ? cause.kind === "Network" || cause.kind === "Timeout"
    : cause._tag === "Status";

/**
 * Look up an access token.
 *
 * @category operations
 * @since 0.1.0
 */
export const tokenInfo = (
  services: OperationServices,
  token: Redacted.Redacted<string>,
): Effect.Effect<TokenInfoResult, TokenInfoError> =>
  Effect.flatMap(checkToken("access token", token), (value) => {
    const { config } = services;
    const prepared = prepare(config);
    const request: TransportRequest = {
      method: "GET",
      url: prepared.url,
      headers: {
        authorization: `Bearer ${value}`,
        accept: prepared.accept,
        "user-agent": prepared.userAgent,
      },
      maxBodyBytes: config.maxBodyBytes,
    };
    const read = (
      response: TransportResponse,
      context: AttemptContext,
    ): Effect.Effect<TokenInfoResult, AttemptFailure<TokenInfoError>> => {
      const { status } = response;
      if (status === 200) {
        return Effect.map(decodeSuccessBody(request, response, decodeTokenInfo), (info) => ({
          info,
          rateLimit: parseRateLimit(response.headers),
        }));
      }
      if (isTransientStatus(status)) {
        return Effect.fail(transientStatusFailure(request, response, context, config));
      }
      return Effect.fail(
        finalStatus(request, response, (fields) =>
          status === 400 || status === 401
            ? new InvalidTokenError(fields)
            : new UnexpectedStatusError(fields),
        ),
      );
    };
    return runOperation(services, {
      name: "TokenClient.info",
      request,
      endpoint: prepared.endpoint,
      maxAttempts: TOKEN_INFO_MAX_ATTEMPTS,
      retryOn,
      read,
    });
  });
