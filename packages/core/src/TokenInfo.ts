/**
 * What Miro says about an access token (`GET /v1/oauth-token`, spec `TokenInformation`): its
 * type, scopes, and the organization, team and users it belongs to.
 *
 * Decoding is tolerant: `organization` and `scopes` may be missing (`organization` was optional
 * in the spec from 2022 to 2024), unknown extra fields are accepted and dropped, and ids are
 * always strings — a numeric id (even one beyond 2^53, which {@link parseJson} keeps as a
 * string) is turned into its decimal string.
 *
 * @since 0.1.0
 */
import { Result, Schema, SchemaTransformation } from "effect";

/**
 * An id as Miro's spec types it (a string), also accepting a bare JSON number.
 *
 * @category schemas
 * @since 0.1.0
 */
export const MiroId = Schema.Union([
  Schema.String,
  Schema.Number.pipe(
    Schema.decodeTo(
      Schema.String,
      SchemaTransformation.transform({
        decode: (n: number) => String(n),
        encode: (s: string) => Number(s),
      }),
    ),
  ),
]);

/**
 * An organization, team or user: `{type, name, id}`.
 *
 * @category schemas
 * @since 0.1.0
 */
export const MiroEntity = Schema.Struct({
  type: Schema.String,
  name: Schema.String,
  id: MiroId,
});

/**
 * @category models
 * @since 0.1.0
 */
export type MiroEntity = typeof MiroEntity.Type;

/**
 * @category schemas
 * @since 0.1.0
 */
export const TokenInfo = Schema.Struct({
  /** e.g. `"oAuthToken"`. */
  type: Schema.String,
  organization: Schema.optionalKey(MiroEntity),
  team: MiroEntity,
  /** The user who created the token. */
  createdBy: MiroEntity,
  /** The user the token acts for. */
  user: MiroEntity,
  scopes: Schema.optionalKey(Schema.Array(Schema.String)),
});

/**
 * @category models
 * @since 0.1.0
 */
export type TokenInfo = typeof TokenInfo.Type;

type Json = Readonly<Record<string, unknown>>;

const isRecord = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** An entity whose fields are all strings, copied without extra fields; else `undefined`. */
const plainEntity = (value: unknown): MiroEntity | undefined => {
  if (!isRecord(value)) return undefined;
  const { type, name, id } = value;
  return typeof type === "string" && typeof name === "string" && typeof id === "string"
    ? { type, name, id }
    : undefined;
};

const isStringArray = (value: unknown): value is ReadonlyArray<string> =>
  Array.isArray(value) && value.every((each) => typeof each === "string");

/**
 * Token info read directly when the body has the shape Miro sends (string ids, all fields of
 * the expected types), else `undefined`. Gives exactly what the schema gives for such input.
 */
const decodePlain = (json: unknown): TokenInfo | undefined => {
  if (!isRecord(json) || typeof json.type !== "string") return undefined;
  const team = plainEntity(json.team);
  const createdBy = plainEntity(json.createdBy);
  const user = plainEntity(json.user);
  if (team === undefined || createdBy === undefined || user === undefined) return undefined;
  const info: { -readonly [K in keyof TokenInfo]: TokenInfo[K] } = {
    type: json.type,
    team,
    createdBy,
    user,
  };
  if ("organization" in json) {
    const organization = plainEntity(json.organization);
    if (organization === undefined) return undefined;
    info.organization = organization;
  }
  if ("scopes" in json) {
    if (!isStringArray(json.scopes)) return undefined;
    info.scopes = json.scopes;
  }
  return info;
};

const decodeWithSchema = Schema.decodeUnknownResult(TokenInfo);

/**
 * Decode parsed JSON as {@link TokenInfo}: the shape Miro sends is read directly (the hot path
 * of every probe), anything else (numeric ids, wrong types) goes through the schema, which
 * also gives the failure.
 *
 * @internal
 * @category decoding
 * @since 0.1.0
 */
export const decodeTokenInfo = (json: unknown): Result.Result<TokenInfo, Schema.SchemaError> => {
  const plain = decodePlain(json);
  return plain === undefined ? decodeWithSchema(json) : Result.succeed(plain);
};
