/**
 * Where Miro's documented contract is silent, the emulator does not pick one answer and let
 * clients quietly depend on it: each undocumented detail is a named variant with the plausible
 * alternatives. The default of every dimension is the documented behaviour (or, where Miro
 * documents nothing, the strictest reading); a seed picks one value per dimension for a run, and
 * explicit values (options, control API, bin flags) override the seed. The README lists each
 * value with the source tag of the research notes it comes from.
 */

/**
 * Every variant dimension and its values, the documented default first.
 *
 * - `tokenInfoFailure`: how `GET /v1/oauth-token` rejects a token: status 400 (spec) or 401
 *   (seen by third-party code), with no body (spec: no body schema), with the emulator's own
 *   codes (`tokenInvalid`/`tokenExpired`), with a code no client knows, or with a body but no code.
 * - `v1RevokeFailure`: v1 revoke's 400 with no body (spec) or with Miro's error body.
 * - `v1RevokeToken`: where v1 revoke reads the token: the `access_token` query (spec) only, or
 *   also a form field and the Bearer header (lenient).
 * - `v2RevokeFailure`: every failure 404 `ErrorResponse` (spec), or 400/401 for a bad body or
 *   bad client credentials.
 * - `tokenFailure`: token endpoint failures all 401 `oauthError` (the only documented error),
 *   or 400 for a dead grant / bad parameters with code `invalidGrant` or `invalid_grant`.
 * - `retryAfter`: 429 without `Retry-After` (documented headers only) or with it.
 * - `rotationGrace`: after a refresh the old access token dies at once, or keeps working 60 s.
 */
export const VARIANT_VALUES = {
  tokenInfoFailure: [
    "400-bare",
    "400-codes",
    "400-unknown-code",
    "400-no-code",
    "401-bare",
    "401-codes",
    "401-unknown-code",
    "401-no-code",
  ],
  v1RevokeFailure: ["400-bare", "400-body"],
  v1RevokeToken: ["query", "lenient"],
  v2RevokeFailure: ["404", "400-401-404"],
  tokenFailure: ["401", "400-invalidGrant", "400-invalid_grant"],
  retryAfter: ["absent", "present"],
  rotationGrace: ["none", "60s"],
} as const;

/** The variant dimensions. */
export type VariantName = keyof typeof VARIANT_VALUES;

/** One chosen value per dimension. */
export type Variants = {
  -readonly [K in VariantName]: (typeof VARIANT_VALUES)[K][number];
};

/** Every dimension name, in README order. */
export const VARIANT_NAMES = Object.keys(VARIANT_VALUES) as ReadonlyArray<VariantName>;

/** The documented contract: the first value of every dimension. */
export const DOCUMENTED_VARIANTS: Readonly<Variants> = Object.freeze(
  Object.fromEntries(VARIANT_NAMES.map((name) => [name, VARIANT_VALUES[name][0]])) as Variants,
);

/**
 * A covering set of variant profiles for test matrices: the documented contract, then every
 * other value of each dimension on its own (all other dimensions documented).
 */
export const variantProfiles = (): ReadonlyArray<{
  readonly name: string;
  readonly variants: Variants;
}> => [
  { name: "documented", variants: { ...DOCUMENTED_VARIANTS } },
  ...VARIANT_NAMES.flatMap((name) =>
    VARIANT_VALUES[name].slice(1).map((value) => ({
      name: `${name}=${value}`,
      variants: { ...DOCUMENTED_VARIANTS, [name]: value },
    })),
  ),
];

/** How long an old access token keeps working after a rotation under `rotationGrace: "60s"`. */
export const ROTATION_GRACE_MS = 60_000;

/** mulberry32: a small, fast, deterministic generator of floats in [0, 1) from a seed. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

/** The variants a seed picks: one value per dimension, the same for the same seed. */
export const variantsForSeed = (seed: number): Variants => {
  if (!Number.isInteger(seed)) throw new TypeError(`variant seed must be an integer, got ${seed}`);
  const next = seededRandom(seed);
  return Object.fromEntries(
    VARIANT_NAMES.map((name) => {
      const values = VARIANT_VALUES[name];
      return [name, values[Math.floor(next() * values.length)]];
    }),
  ) as Variants;
};

/** Checks an untrusted partial set of variants (control API, flags); throws a TypeError. */
export const parseVariants = (input: unknown): Partial<Variants> => {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new TypeError("variants must be an object");
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(input)) {
    const values = VARIANT_VALUES[name as VariantName] as ReadonlyArray<string> | undefined;
    if (values === undefined) {
      throw new TypeError(`unknown variant ${name}; known: ${VARIANT_NAMES.join(", ")}`);
    }
    if (typeof value !== "string" || !values.includes(value)) {
      throw new TypeError(`variant ${name} must be one of ${values.join(", ")}`);
    }
    out[name] = value;
  }
  return out as Partial<Variants>;
};

/** Parses one `name=value` flag. */
export const parseVariantFlag = (text: string): Partial<Variants> => {
  const at = text.indexOf("=");
  if (at <= 0) throw new TypeError(`--variant expects name=value, got ${text}`);
  return parseVariants({ [text.slice(0, at)]: text.slice(at + 1) });
};
