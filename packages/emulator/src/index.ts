/**
 * `@miro-token/emulator`: a local emulator of Miro's OAuth token API (token info, revoke v1/v2,
 * the token endpoint, authorize) with a controllable clock, credit-based rate limiting, scripted
 * faults, a masked request log and an HTTP control API.
 */

export type { EmulatorClock } from "./Clock.ts";
export { DEFAULT_PORT } from "./DefaultPort.ts";
export { DEFAULT_REFRESH_TOKEN_TTL_SECONDS, startEmulator } from "./Emulator.ts";
export type {
  CreateClientOptions,
  Emulator,
  EmulatorClient,
  EmulatorConfigPatch,
  EmulatorOptions,
  EmulatorSettings,
  IssuedTokens,
  IssueTokensOptions,
} from "./EmulatorApi.ts";
export { EMULATOR_ROUTES, type EmulatorRoute, type Fault, parseFault } from "./Faults.ts";
export { MIRO_TOKEN_PREFIX } from "./Identifiers.ts";
export type { MiroErrorBody } from "./MiroErrors.ts";
export { DEFAULT_RATE_LIMIT, type RateLimitSettings } from "./RateLimiter.ts";
export { type LoggedRequest, REQUEST_LOG_CAP } from "./RequestLog.ts";
export type { RevokeTokenRequest } from "./routes/Revoke.ts";
export type { TokenResponse } from "./routes/TokenEndpoint.ts";
export type {
  OrganizationInformation,
  TeamInformation,
  TokenInformation,
  UserInformation,
} from "./routes/TokenInfo.ts";
export { CODE_TTL_MS, DEFAULT_SCOPES, type TokenState } from "./TokenRegistry.ts";
export {
  DOCUMENTED_VARIANTS,
  parseVariants,
  ROTATION_GRACE_MS,
  seededRandom,
  VARIANT_NAMES,
  VARIANT_VALUES,
  type VariantName,
  type Variants,
  variantProfiles,
  variantsForSeed,
} from "./Variants.ts";
