/**
 * scripts/provision: a component that is there costs nothing, and one that cannot be installed
 * fails loudly with what to install by hand (the install itself is exercised by the watcher's
 * global setup on a machine without Chromium).
 */
import { describe, expect, it } from "vitest";
import { ensureDebianPackage, executableAt } from "../../../scripts/provision/debian.ts";

const missing = {
  name: "miro-token-no-such-package",
  find: () => undefined,
  provides: "/nonexistent/miro-token-no-such-binary",
  purpose: "a test",
};

describe("ensureDebianPackage", () => {
  it("returns the binary at once when it is there, without running apt-get", () => {
    const pkg = { ...missing, find: () => executableAt(process.execPath) };
    expect(ensureDebianPackage(pkg, { aptGet: "/nonexistent/apt-get", root: false })).toBe(
      process.execPath,
    );
  });

  it("fails with the manual command when not root", () => {
    expect(() => ensureDebianPackage(missing, { root: false })).toThrow(
      /needs Debian's miro-token-no-such-package \(\/nonexistent\/miro-token-no-such-binary\).*not running as root.*\n.*apt-get install -y --no-install-recommends miro-token-no-such-package/s,
    );
  });

  it("fails with the manual command when apt-get is missing", () => {
    expect(() =>
      ensureDebianPackage(missing, { aptGet: "/nonexistent/apt-get", root: true }),
    ).toThrow(/\/nonexistent\/apt-get not found.*apt-get install -y/s);
  });

  it("fails when apt-get cannot install the package", () => {
    // `false` stands in for an apt-get that fails (no network, unknown package).
    expect(() => ensureDebianPackage(missing, { aptGet: "/usr/bin/false", root: true })).toThrow(
      /`\/usr\/bin\/false .*update -qq` exited 1.*apt-get install -y/s,
    );
  });
});
