/**
 * The built binary for end-to-end tests: bundles it (esbuild, as `pnpm build` does; the global
 * setup, test/bundle.ts, does it once before every test file) and runs `node bin/miro-token.js`
 * under coreutils `timeout -k`, so a hung CLI is killed rather than hanging the suite.
 */
import { execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Build `dist/` (the bundle the launcher prefers). */
export const buildBundle = (): void => {
  execFileSync(process.execPath, ["scripts/bundle.ts"], { cwd: root, stdio: "pipe" });
};

/** What a spawned run produced. */
export interface SpawnResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly pid: number;
}

/** Options of a spawned run. */
export interface SpawnOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: string;
  /** Seconds before SIGTERM (then SIGKILL 2 s later). @default 20 */
  readonly timeoutSeconds?: number;
  /** The script Node runs. @default "bin/miro-token.js" (the launcher) */
  readonly script?: string;
  /** Called with the CLI's pid once it is running (the `node` child of `timeout`). */
  readonly onSpawn?: (pid: number) => void;
}

/** Run `miro-token ...argv` from the bundle, in a clean environment plus `env`. */
export const spawnCli = (
  argv: ReadonlyArray<string>,
  options: SpawnOptions = {},
): Promise<SpawnResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      "timeout",
      [
        "-k",
        "2",
        String(options.timeoutSeconds ?? 20),
        process.execPath,
        options.script ?? "bin/miro-token.js",
        ...argv,
      ],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...options.env },
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("spawn", () => options.onSpawn?.(child.pid ?? -1));
    child.on("close", (exitCode) => resolve({ exitCode, stdout, stderr, pid: child.pid ?? -1 }));
    child.stdin.end(options.stdin ?? "");
  });
