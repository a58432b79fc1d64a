/**
 * `@miro-token/store-postgres`: a PostgreSQL `TokenStore` — numbered migrations, a
 * generation-fenced compare-and-set, lease locks and keyset paging.
 *
 * @since 0.1.0
 */

export * from "./fleet/FleetMembership.ts";
export * from "./fleet/FleetSchema.ts";
export * from "./fleet/FleetStatus.ts";
export * as PostgresFleet from "./fleet/PostgresFleet.ts";
export * from "./LeaseLock.ts";
export * from "./Migrations.ts";
export * as PostgresChanges from "./PostgresChanges.ts";
export * as PostgresRekey from "./PostgresRekey.ts";
export * as PostgresTokenStore from "./PostgresTokenStore.ts";
export * from "./SchemaVersionError.ts";
export * from "./StoreOptions.ts";
