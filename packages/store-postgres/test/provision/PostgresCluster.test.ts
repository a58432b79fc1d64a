// The provisioning module's choices that the real run does not show: which installed major it
// picks, and that a root with no server binaries yields none (the caller then installs them).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "@effect/vitest";
import { findServerBin } from "./PostgresCluster.ts";

const made: Array<string> = [];
const fakeRoot = (majors: Record<string, ReadonlyArray<string>>): string => {
  const root = mkdtempSync(join(tmpdir(), "pg-root-"));
  made.push(root);
  for (const [major, tools] of Object.entries(majors)) {
    mkdirSync(join(root, major, "bin"), { recursive: true });
    for (const tool of tools) writeFileSync(join(root, major, "bin", tool), "");
  }
  return root;
};

describe("findServerBin", () => {
  afterEach(() => {
    for (const root of made.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  it("picks the newest major that has both initdb and pg_ctl", () => {
    const root = fakeRoot({
      "9": ["initdb", "pg_ctl"],
      "15": ["initdb", "pg_ctl"],
      "17": ["psql"],
    });
    expect(findServerBin([root])).toBe(join(root, "15", "bin"));
  });

  it("finds nothing in a root with client tools only, or no root at all", () => {
    expect(findServerBin([fakeRoot({ "15": ["psql"] })])).toBeUndefined();
    expect(findServerBin([join(tmpdir(), "no-such-postgresql-root")])).toBeUndefined();
  });
});
