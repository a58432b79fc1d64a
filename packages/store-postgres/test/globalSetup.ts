// vitest globalSetup: one throwaway PostgreSQL cluster for the whole test run (provisioned by
// `provision/PostgresCluster.ts`: installed when missing, never skipped), stopped at the end.
// Tests read its admin URL with `inject("postgresAdminUrl")` and make a database each.
import type { TestProject } from "vitest/node";
import { startCluster } from "./provision/PostgresCluster.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` of the throwaway cluster. */
    postgresAdminUrl: string;
    /** `postgres (PostgreSQL) 15.x …` */
    postgresVersion: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const started = performance.now();
  const cluster = await startCluster();
  console.log(
    `store-postgres: ${cluster.version} on 127.0.0.1:${cluster.port} ` +
      `(${Math.round(performance.now() - started)} ms to provision)`,
  );
  project.provide("postgresAdminUrl", cluster.urlOf("postgres"));
  project.provide("postgresVersion", cluster.version);
  return () => cluster.stop();
}
