// A throwaway PostgreSQL cluster for the tests: find the server binaries (installing Debian's
// `postgresql` package when they are missing), `initdb` into a temp directory as a non-root OS
// user, start it on a free loopback port with a socket in that directory, and stop and remove
// it at the end. Plain Node, no test framework: vitest's globalSetup calls it, and so can any
// other runner (the fleet scenario, the bench) later.
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDebianPackage } from "../../../../scripts/provision/debian.ts";

/** A running cluster. `password` belongs to the `postgres` superuser (TCP logins need it). */
export interface PostgresCluster {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly directory: string;
  readonly version: string;
  /** `postgres://postgres:<password>@127.0.0.1:<port>/<database>` */
  readonly urlOf: (database: string) => string;
  /**
   * Restart the server (fast shutdown: clients are disconnected), same port and data. Async,
   * so whatever else runs in this process (an emulator) keeps serving meanwhile.
   */
  readonly restart: () => Promise<void>;
  readonly stop: () => void;
  /** Stop the server (fast shutdown: sessions are cut), keeping its data and port. */
  readonly stopServer: () => void;
  /** Start the stopped server again on the same port and data. */
  readonly startServer: () => void;
}

const ROOTS = ["/usr/lib/postgresql"];

/** The newest `<root>/<major>/bin` holding `initdb` and `pg_ctl`, if any. */
export const findServerBin = (roots: ReadonlyArray<string> = ROOTS): string | undefined => {
  for (const root of roots) {
    if (!existsSync(root)) continue;
    const majors = readdirSync(root)
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    for (const major of majors) {
      const bin = join(root, major, "bin");
      if (existsSync(join(bin, "initdb")) && existsSync(join(bin, "pg_ctl"))) return bin;
    }
  }
  return undefined;
};

const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * The server binaries, installing Debian's `postgresql` package first when missing (the
 * repository's one installer, scripts/provision/debian.ts: a clear error when it cannot).
 */
export const ensureServerBin = (): string =>
  ensureDebianPackage({
    name: "postgresql",
    find: () => findServerBin(),
    provides: "initdb and pg_ctl under /usr/lib/postgresql/<major>/bin",
    purpose: "store-postgres's tests (a throwaway PostgreSQL cluster)",
  });

/** A free TCP port on 127.0.0.1 (closed again; the server binds it right after). */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

/**
 * Run a server binary: as the `postgres` OS user when we are root (initdb and postgres refuse
 * root), as ourselves otherwise. Throws with the tool's output on failure.
 */
const runServerTool = (bin: string, tool: string, args: ReadonlyArray<string>): string => {
  const [command, argv] = isRoot()
    ? ["runuser", ["-u", "postgres", "--", join(bin, tool), ...args]]
    : [join(bin, tool), [...args]];
  const result = spawnSync(command, argv, { encoding: "utf8", cwd: tmpdir() });
  if (result.status !== 0) {
    throw new Error(
      `${tool} failed (exit ${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
};

/** {@link runServerTool} without blocking this process's event loop. */
const runServerToolAsync = (bin: string, tool: string, args: ReadonlyArray<string>) =>
  new Promise<void>((resolve, reject) => {
    const [command, argv] = isRoot()
      ? ["runuser", ["-u", "postgres", "--", join(bin, tool), ...args]]
      : [join(bin, tool), [...args]];
    execFile(command, argv, { cwd: tmpdir() }, (error, stdout, stderr) =>
      error === null ? resolve() : reject(new Error(`${tool} failed: ${stdout}\n${stderr}`)),
    );
  });

/** Create, start and return a throwaway cluster. Call `stop()` when done. */
export const startCluster = async (): Promise<PostgresCluster> => {
  const bin = ensureServerBin();
  const directory = mkdtempSync(join(tmpdir(), "miro-token-pg-"));
  const data = join(directory, "data");
  const password = randomBytes(18).toString("base64url");
  const pwfile = join(directory, "pwfile");
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (isRoot()) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(directory, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  chmodSync(directory, 0o700);
  runServerTool(bin, "initdb", [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    `--pwfile=${pwfile}`,
    "--no-sync",
    "--encoding=UTF8",
    "--locale=C",
  ]);
  rmSync(pwfile);
  const port = await freePort();
  // A throwaway cluster: durability settings off (nothing here outlives the run).
  const serverOptions = [
    `-p ${port}`,
    `-k ${directory}`,
    "-c listen_addresses=127.0.0.1",
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
    "-c max_connections=200",
  ].join(" ");
  const startServer = () =>
    runServerTool(bin, "pg_ctl", [
      "-D",
      data,
      "-o",
      serverOptions,
      "-l",
      join(directory, "server.log"),
      "-w",
      "-t",
      "60",
      "start",
    ]);
  let running = false;
  const stopServer = () => {
    runServerTool(bin, "pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
    running = false;
  };
  startServer();
  running = true;
  const version = runServerTool(bin, "postgres", ["--version"]).trim();
  let stopped = false;
  return {
    host: "127.0.0.1",
    port,
    user: "postgres",
    password,
    directory,
    version,
    urlOf: (database) =>
      `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    stopServer: () => void stopServer(),
    startServer: () => {
      startServer();
      running = true;
    },
    restart: () =>
      // Same options as the start (pg_ctl keeps them in postmaster.opts); the log file keeps
      // the server's output off our pipes.
      runServerToolAsync(bin, "pg_ctl", [
        ...["-D", data, "-l", join(directory, "server.log")],
        ...["-m", "fast", "-w", "-t", "60", "restart"],
      ]),
    stop: () => {
      if (stopped) return;
      stopped = true;
      try {
        if (running) stopServer();
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    },
  };
};
