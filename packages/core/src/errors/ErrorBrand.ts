/**
 * The brand every core error carries. A guard that tests the brand instead of `instanceof`
 * recognises an error made by another copy of core (the `src` and `dist` builds of one
 * package, or two installed versions), since `Symbol.for` yields the same symbol in every copy.
 *
 * @since 0.1.0
 */

/**
 * The key (and value) of the brand.
 *
 * @category symbols
 * @since 0.1.0
 */
export const MiroTokenErrorTypeId: unique symbol = Symbol.for("@miro-token/core/MiroTokenError");

/**
 * @category symbols
 * @since 0.1.0
 */
export type MiroTokenErrorTypeId = typeof MiroTokenErrorTypeId;
