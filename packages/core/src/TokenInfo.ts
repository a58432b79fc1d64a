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
import { Schema, SchemaTransformation } from "effect";

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
