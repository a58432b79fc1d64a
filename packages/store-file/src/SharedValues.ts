/**
 * Values that many stored tokens hold alike — the scope list, the team id — shared between the
 * token sets the store decodes instead of one copy per token. A watcher holds every token set
 * it watches; `JSON.parse` gives each file its own strings and arrays, so 100,000 tokens of one
 * app held 100,000 copies of the same scope list (about 0.1 KB per token of a 0.8 KB token set).
 *
 * Bounded: the first {@link SHARED_LIMIT} distinct values of each kind are shared, later ones
 * are returned as they are (kept alive only by their tokens), so a store of all-different
 * values cannot grow these tables without end.
 *
 * @since 0.1.0
 */

/**
 * How many distinct scope lists, and how many distinct team ids, are shared at most.
 *
 * @category constants
 * @since 0.1.0
 */
export const SHARED_LIMIT = 1024;

const scopeLists = new Map<string, ReadonlyArray<string>>();
const teamIds = new Map<string, string>();

/**
 * The shared (frozen) copy of a scope list equal to `scopes`, or `scopes` once the table is full.
 *
 * @category sharing
 * @since 0.1.0
 */
export const sharedScopes = (scopes: ReadonlyArray<string>): ReadonlyArray<string> => {
  const key = JSON.stringify(scopes);
  const known = scopeLists.get(key);
  if (known !== undefined) return known;
  if (scopeLists.size >= SHARED_LIMIT) return scopes;
  const shared = Object.freeze([...scopes]);
  scopeLists.set(key, shared);
  return shared;
};

/**
 * The shared copy of a team id equal to `teamId`, or `teamId` once the table is full.
 *
 * @category sharing
 * @since 0.1.0
 */
export const sharedTeamId = (teamId: string): string => {
  const known = teamIds.get(teamId);
  if (known !== undefined) return known;
  if (teamIds.size < SHARED_LIMIT) teamIds.set(teamId, teamId);
  return teamId;
};
