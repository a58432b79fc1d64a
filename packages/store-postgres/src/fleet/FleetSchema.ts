/**
 * The fleet's tables, as the store's migration 4 (kept in its own file so other migrations can
 * be added beside it without touching it):
 *
 * - `miro_token_fleet_replicas`: one row per watcher replica, its heartbeat and the time its
 *   membership lapses when the heartbeat stops (a killed replica).
 * - `miro_token_fleet_owners`: one row per token (a trigger adds it with the token; deleting
 *   the token deletes it), naming the replica that watches it and until when. A free row has
 *   no owner and an expiry of `-infinity`, so "claimable" is one condition:
 *   `expires_at < clock_timestamp()`.
 * - `miro_token_fleet_status`: the latest status row of every token as its owner reported it
 *   (secret-free JSON, with its state and generation beside it), numbered by a sequence so
 *   any replica can read what changed since the last number it saw.
 *
 * @since 0.3.0
 */
import type { Migration } from "../Migrations.ts";

/**
 * Migration 4: fleet membership, token ownership and the shared status table.
 *
 * @category migrations
 * @since 0.3.0
 */
export const FLEET_MIGRATION: Migration = {
  version: 4,
  name: "watcher_fleet",
  statements: [
    `CREATE TABLE miro_token_fleet_replicas (
       id text COLLATE "C" PRIMARY KEY,
       info jsonb NOT NULL DEFAULT '{}',
       started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
       heartbeat_at timestamptz NOT NULL,
       expires_at timestamptz NOT NULL
     )`,
    `CREATE TABLE miro_token_fleet_owners (
       token_id text COLLATE "C" PRIMARY KEY
         REFERENCES miro_token_tokens (id) ON DELETE CASCADE,
       owner text COLLATE "C",
       expires_at timestamptz NOT NULL DEFAULT '-infinity'
     )`,
    // Renewal filters on the owner; expires_at stays unindexed so renewals are HOT updates.
    `CREATE INDEX miro_token_fleet_owners_owner ON miro_token_fleet_owners (owner)`,
    `INSERT INTO miro_token_fleet_owners (token_id) SELECT id FROM miro_token_tokens`,
    `CREATE FUNCTION miro_token_fleet_track_token() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       INSERT INTO miro_token_fleet_owners (token_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
       RETURN NEW;
     END $$`,
    `CREATE TRIGGER miro_token_fleet_track_token AFTER INSERT ON miro_token_tokens
       FOR EACH ROW EXECUTE FUNCTION miro_token_fleet_track_token()`,
    `CREATE SEQUENCE miro_token_fleet_status_seq`,
    `CREATE TABLE miro_token_fleet_status (
       token_id text COLLATE "C" PRIMARY KEY,
       replica text NOT NULL,
       state text NOT NULL,
       generation bigint NOT NULL,
       view jsonb NOT NULL,
       seq bigint NOT NULL,
       updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
     )`,
    `CREATE INDEX miro_token_fleet_status_seq_idx ON miro_token_fleet_status (seq)`,
  ],
};
