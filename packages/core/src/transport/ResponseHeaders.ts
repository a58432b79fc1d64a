/**
 * Builds the seam's header record from whatever a client hands out: names in lower case and a
 * repeated header's values joined with `", "` in arrival order (`set-cookie` included, which
 * `Headers` iterates one value at a time and Node's `headers` object keeps as an array).
 *
 * @since 0.1.0
 */

/**
 * Collects `[name, value]` pairs into one lower-cased record, joining repeats with `", "`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromEntries = (
  entries: Iterable<readonly [string, string]>,
): Readonly<Record<string, string>> => {
  const headers: Record<string, string> = {};
  for (const [rawName, value] of entries) {
    const name = rawName.toLowerCase();
    const previous = headers[name];
    headers[name] = previous === undefined ? value : `${previous}, ${value}`;
  }
  return headers;
};

/**
 * Pairs up a flat `[name, value, name, value, …]` list (Node's `rawHeaders`).
 *
 * @category constructors
 * @since 0.1.0
 */
export function* pairsOfRaw(raw: ReadonlyArray<string>): Generator<readonly [string, string]> {
  for (let index = 0; index + 1 < raw.length; index += 2) {
    yield [raw[index]!, raw[index + 1]!];
  }
}
