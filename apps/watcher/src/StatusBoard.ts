/**
 * The status board: the latest status of every watched token as a plain, secret-free row
 * ({@link TokenView}). It is the single source of `/tokens`, of the snapshot that opens
 * `/events`, of the page's table and of the `tokens` gauges, so they never disagree.
 *
 * Rows are kept in one mutable `Map` updated in place: rx's `latestByToken()` copies the whole
 * map on every event, which is O(tokens) per event and O(tokens²) while 10,000 tokens report
 * their first status. A token removed from the store (core's `Stopped`) leaves the board after
 * its event is published; a token listed at start but not probed yet shows as `Pending`.
 *
 * A token whose store entry cannot be read (a corrupt file) is `Quarantined`: its row names
 * the entry (`file`) and says why, never what it holds; core has stopped watching it, and any
 * late event about it is ignored until the store reads it again (the row then goes, and the
 * restarted watch reports it afresh).
 *
 * @since 0.1.0
 */
import {
  type FailureSummary,
  TOKEN_STATUS_TAGS,
  type TokenStatus,
  type TokenStatusTag,
  type UnreadableEntry,
  type WatchedStatus,
} from "@miro-token/core";

/**
 * A row's state: core's status tag, `Pending` before a token's first probe, or `Quarantined`
 * while its store entry cannot be read.
 *
 * @category models
 * @since 0.1.0
 */
export type TokenState = TokenStatusTag | "Pending" | "Quarantined";

/**
 * Every state, in lifecycle order (`Pending` first, `Quarantined` last).
 *
 * @category constants
 * @since 0.1.0
 */
export const TOKEN_STATES: ReadonlyArray<TokenState> = [
  "Pending",
  ...TOKEN_STATUS_TAGS,
  "Quarantined",
];

/**
 * One token as the watcher reports it: no token, no refresh token, only the fingerprint.
 * Times are ISO 8601 strings.
 *
 * @category models
 * @since 0.1.0
 */
export interface TokenView {
  readonly id: string;
  /** sha256 prefix of the current access token. */
  readonly fingerprint: string;
  readonly generation: number;
  readonly state: TokenState;
  /** When the token entered this state. */
  readonly since: string;
  /** When the last event about it arrived. */
  readonly updatedAt: string;
  /** The access token's expiry as last known; `null` for non-expiring tokens or unknown. */
  readonly expiresAt: string | null;
  /** Why it is in this state (failures, revocations); `null` when there is nothing to say. */
  readonly reason: string | null;
  readonly userId: string | null;
  readonly teamId: string | null;
  /** For a `Quarantined` row only: where the unreadable entry is (a file name). */
  readonly file?: string | undefined;
}

/**
 * What one applied event changed: the new row and the state it left.
 *
 * @category models
 * @since 0.1.0
 */
export interface BoardChange {
  readonly view: TokenView;
  readonly previous: TokenState | undefined;
  /** Core's status; `undefined` for a state the board sets itself (`Quarantined`). */
  readonly status: TokenStatus | undefined;
  /** True for a row another fleet replica reported (see `applyRemote`): not this process's event. */
  readonly remote?: true | undefined;
}

const failureText = (error: FailureSummary): string =>
  [error.tag, error.kind, error.status, error.code].filter((p) => p !== undefined).join(" ");

/**
 * A short, secret-free explanation of a status (`null` when it needs none).
 *
 * @category formatting
 * @since 0.1.0
 */
export const reasonOf = (status: TokenStatus): string | null => {
  switch (status._tag) {
    case "Unreachable":
    case "PersistFailed":
      return `${failureText(status.error)} (attempt ${status.attempt})`;
    case "RateLimited":
      return `rate limited until ${new Date(status.resetAt).toISOString()}`;
    case "Invalid":
      return `Miro answered ${status.status}${status.code === undefined ? "" : ` ${status.code}`}`;
    case "ReauthorizeRequired":
    case "Stopped":
      return status.reason;
    case "Expiring":
      return `refresh due ${new Date(status.refreshAt).toISOString()}`;
    case "Refreshed":
      return `generation ${status.generation}`;
    default:
      return null;
  }
};

/** The expiry a status states, if it states one. */
const statedExpiry = (status: TokenStatus): number | undefined => {
  switch (status._tag) {
    case "Active":
    case "Expiring":
    case "Refreshed":
    case "Expired":
      return status.expiresAt;
    default:
      return undefined;
  }
};

/**
 * Latest status per token, with change listeners.
 *
 * @category models
 * @since 0.1.0
 */
export interface StatusBoard {
  /** Record an event; returns the change, published to listeners. */
  readonly apply: (event: WatchedStatus, now: number) => BoardChange;
  /** Show a token found in the store before its first status (no event is published). */
  readonly addPending: (
    entry: { readonly id: string; readonly fingerprint: string; readonly generation: number },
    expiresAt: number | undefined,
    now: number,
  ) => void;
  /**
   * The store's unreadable entries as of its latest scan: each becomes (or stays) a
   * `Quarantined` row, published when it changes; a quarantined row whose entry is no longer
   * listed leaves the board.
   */
  readonly quarantine: (entries: ReadonlyArray<UnreadableEntry>, now: number) => void;
  /**
   * Show a row another fleet replica reported (its view as it wrote it); a `Stopped` one
   * removes the row. Published with `remote: true`.
   */
  readonly applyRemote: (view: TokenView) => void;
  /** How many rows are `Quarantined`. */
  readonly quarantined: () => number;
  /** Every row, sorted by id. */
  readonly snapshot: () => ReadonlyArray<TokenView>;
  readonly size: () => number;
  /** How many tokens are in each state (every state present, zeros included). */
  readonly countByState: () => ReadonlyMap<TokenState, number>;
  /** Listen to changes; returns the function that stops listening. */
  readonly subscribe: (listener: (change: BoardChange) => void) => () => void;
}

/**
 * An empty board.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeStatusBoard = (): StatusBoard => {
  const rows = new Map<string, TokenView>();
  const listeners = new Set<(change: BoardChange) => void>();
  const iso = (ms: number) => new Date(ms).toISOString();

  const quarantined = new Set<string>();
  const publish = (change: BoardChange) => {
    for (const listener of listeners) listener(change);
  };

  const apply = (event: WatchedStatus, now: number): BoardChange => {
    const { status } = event;
    const before = rows.get(event.id);
    if (before !== undefined && quarantined.has(event.id)) {
      return { view: before, previous: before.state, status };
    }
    const sameToken = before !== undefined && before.generation === event.generation;
    const stated = statedExpiry(status);
    const expiresAt = stated !== undefined ? iso(stated) : sameToken ? before.expiresAt : null;
    const info = status._tag === "Active" ? status.info : undefined;
    const view: TokenView = {
      id: event.id,
      fingerprint: event.fingerprint,
      generation: event.generation,
      state: status._tag,
      since: before?.state === status._tag ? before.since : iso(now),
      updatedAt: iso(now),
      expiresAt,
      reason: reasonOf(status),
      userId: info?.user.id ?? before?.userId ?? null,
      teamId: info?.team.id ?? before?.teamId ?? null,
    };
    if (status._tag === "Stopped") rows.delete(event.id);
    else rows.set(event.id, view);
    const change: BoardChange = { view, previous: before?.state, status };
    publish(change);
    return change;
  };

  const quarantine = (entries: ReadonlyArray<UnreadableEntry>, now: number) => {
    const ids = new Set(entries.map((entry) => entry.id));
    for (const id of quarantined) {
      if (ids.has(id)) continue;
      quarantined.delete(id);
      rows.delete(id);
    }
    for (const entry of entries) {
      const before = rows.get(entry.id);
      const reason = `unreadable store entry: ${entry.reason}`;
      if (before?.state === "Quarantined" && before.reason === reason) continue;
      quarantined.add(entry.id);
      // The last good fingerprint and ids, when the token was readable before: they say which
      // token this was. Nothing is taken from the unreadable entry but its name.
      const view: TokenView = {
        id: entry.id,
        fingerprint: before?.fingerprint ?? "",
        generation: before?.generation ?? 0,
        state: "Quarantined",
        since: before?.state === "Quarantined" ? before.since : iso(now),
        updatedAt: iso(now),
        expiresAt: null,
        reason,
        userId: before?.userId ?? null,
        teamId: before?.teamId ?? null,
        file: entry.location,
      };
      rows.set(entry.id, view);
      publish({ view, previous: before?.state, status: undefined });
    }
  };

  const applyRemote = (view: TokenView) => {
    const before = rows.get(view.id);
    if (view.state === "Stopped") rows.delete(view.id);
    else rows.set(view.id, view);
    quarantined.delete(view.id);
    publish({ view, previous: before?.state, status: undefined, remote: true });
  };

  return {
    apply,
    applyRemote,
    quarantine,
    quarantined: () => quarantined.size,
    addPending: (entry, expiresAt, now) => {
      if (rows.has(entry.id)) return;
      rows.set(entry.id, {
        id: entry.id,
        fingerprint: entry.fingerprint,
        generation: entry.generation,
        state: "Pending",
        since: iso(now),
        updatedAt: iso(now),
        expiresAt: expiresAt === undefined ? null : iso(expiresAt),
        reason: null,
        userId: null,
        teamId: null,
      });
    },
    snapshot: () => [...rows.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    size: () => rows.size,
    countByState: () => {
      const counts = new Map<TokenState, number>(TOKEN_STATES.map((s) => [s, 0]));
      for (const row of rows.values()) counts.set(row.state, (counts.get(row.state) ?? 0) + 1);
      return counts;
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
};
