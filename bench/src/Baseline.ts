/**
 * The client as it was at another commit, loaded beside today's in the same process, so a
 * before/after comparison is measured side by side in one run (the machine's drift then hits
 * both alike). `git archive` extracts that commit's core and transport sources into
 * `bench/results/baseline-<ref>/` (ignored by git, inside the bench package so `effect`,
 * `undici` and `ky` resolve from the bench's own dependencies), and the sibling imports are
 * pointed at the extracted copies.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Layer } from "effect";
import type { OwnedCase, Target } from "./RawClients.ts";

const PACKAGES = ["core", "transport-node", "transport-fetch", "transport-ky"] as const;

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** Every `.ts` file under `directory`. */
const sources = (directory: string): ReadonlyArray<string> =>
  readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));

/** Extracts `ref`'s sources and returns the directory holding `<package>/src`. */
const extract = (ref: string): string => {
  const safe = ref.replace(/[^A-Za-z0-9._-]/g, "_");
  const directory = fileURLToPath(new URL(`../results/baseline-${safe}/`, import.meta.url));
  rmSync(directory, { recursive: true, force: true });
  const paths = PACKAGES.map((name) => `packages/${name}/src`);
  const archive = execFileSync("git", ["-C", repoRoot, "archive", ref, ...paths]);
  execFileSync("mkdir", ["-p", directory]);
  execFileSync("tar", ["-x", "-C", directory, "--strip-components=1"], { input: archive });
  for (const name of PACKAGES) {
    for (const file of sources(join(directory, name, "src"))) {
      const text = readFileSync(file, "utf8").replace(
        /from "@miro-token\/(core|transport-fetch)"/g,
        (_match, sibling: string) =>
          `from "${join(directory, sibling, "src", "index.ts").replaceAll("\\", "/")}"`,
      );
      writeFileSync(file, text);
    }
  }
  return directory;
};

/** The Effect and promise cases of `ref`'s client over each transport, named `<label> ...`. */
export const baselineClients = async (
  ref: string,
  label: string,
  target: Target,
  transports: ReadonlyArray<"node" | "fetch" | "ky">,
): Promise<ReadonlyArray<OwnedCase>> => {
  const directory = extract(ref);
  const load = (name: string) => import(join(directory, name, "src", "index.ts"));
  const core = await load("core");
  const layers: Record<string, Layer.Layer<unknown>> = {
    node: (await load("transport-node")).NodeTransport.layer,
    fetch: (await load("transport-fetch")).FetchTransport.layer,
    ky: (await load("transport-ky")).KyTransport.layer,
  };
  const { Layer: L, ManagedRuntime, Redacted } = await import("effect");
  return transports.flatMap((transport): ReadonlyArray<OwnedCase> => {
    const runtime = ManagedRuntime.make(
      core.TokenClient.layer.pipe(
        L.provide(L.merge(layers[transport]!, core.MiroConfig.layer({ baseUrl: target.baseUrl }))),
      ),
    );
    const program = core.TokenClient.info(Redacted.make(target.accessToken));
    const client = core.createTokenClient({
      transport: layers[transport],
      baseUrl: target.baseUrl,
    });
    return [
      {
        name: `${label} Effect over ${transport}`,
        run: () => runtime.runPromise(program),
        close: () => runtime.dispose(),
      },
      {
        name: `${label} promise over ${transport}`,
        run: () => client.info(target.accessToken),
        close: () => client.dispose(),
      },
    ];
  });
};
