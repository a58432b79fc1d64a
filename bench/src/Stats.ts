/**
 * The few statistics a side-by-side benchmark reports: medians and ratios. Kept apart from the
 * harness so the reported numbers have one definition.
 */

/** The median of a non-empty list of numbers (the mean of the middle two for even lengths). */
export const median = (values: ReadonlyArray<number>): number => {
  if (values.length === 0) throw new RangeError("median of an empty list");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** A ratio printed with two decimals, e.g. `1.27x`. */
export const formatRatio = (ratio: number): string => `${ratio.toFixed(2)}x`;

/** Microseconds with one decimal. */
export const formatMicros = (micros: number): string => `${micros.toFixed(1)} µs`;
