// `/healthz` with a fleet: the database's state is reported, and a database that does not
// answer degrades an otherwise healthy replica (it keeps watching what it owns while its leases last) without
// hiding a worse state.
import { describe, expect, it } from "vitest";
import { type FleetHealthView, withFleetHealth } from "../../src/fleet/WatcherFleet.ts";

const attachment = (view: Partial<FleetHealthView>) => ({
  health: (): FleetHealthView => ({
    database: "ok",
    replicaId: "r1",
    replicas: 3,
    owned: 10,
    listening: true,
    ...view,
  }),
  close: async () => {},
});

describe("fleet health", () => {
  it("adds the fleet to a healthy report", () => {
    expect(withFleetHealth({ status: "ok" }, attachment({}))).toEqual({
      status: "ok",
      fleet: { database: "ok", replicaId: "r1", replicas: 3, owned: 10, listening: true },
    });
  });

  it("an unreachable database degrades ok, and leaves failed or stopping as they are", () => {
    const down = attachment({ database: "unreachable", error: "ConnectionError" });
    expect(withFleetHealth({ status: "ok" }, down).status).toBe("degraded");
    expect(withFleetHealth({ status: "failed", error: "x" }, down).status).toBe("failed");
    expect(withFleetHealth({ status: "stopping" }, down).status).toBe("stopping");
  });

  it("without a fleet the report is unchanged", () => {
    const health = { status: "ok" } as const;
    expect(withFleetHealth(health, undefined)).toBe(health);
  });
});
