/**
 * The `miro-token-emulator` command: starts an emulator and prints how to reach it (base URL,
 * seeded client, seeded expiring token set) as aligned text, or with `--json` as exactly one
 * JSON line on stdout. Its clock follows real time unless `--freeze-clock` (so rate-limit windows
 * reset and tokens expire as at Miro). Runs until SIGINT/SIGTERM, then closes cleanly and exits
 * 0. Bad flags print a message on stderr and exit 2.
 */
import { parseArgs } from "node:util";
import { DEFAULT_PORT } from "./DefaultPort.ts";
import { startEmulator } from "./Emulator.ts";
import type { Emulator } from "./EmulatorApi.ts";
import { parseVariantFlag, VARIANT_NAMES, VARIANT_VALUES, type Variants } from "./Variants.ts";
import { VERSION } from "./version.ts";

const USAGE = `Usage: miro-token-emulator [options]

A local emulator of Miro's OAuth token API (token info, revoke, token endpoint, authorize).

Options:
  --port N            TCP port to listen on (default ${DEFAULT_PORT}; 0 picks a free port)
  --host H            interface to listen on (default 127.0.0.1)
  --json              print one JSON line {baseUrl, clientId, clientSecret, accessToken,
                      refreshToken, expiresIn} instead of text
  --v1-revoke gone    make POST /v1/oauth/revoke answer 404 (retired)
  --freeze-clock      keep the emulator clock still (it moves only through the control API);
                      by default it follows real time
  --variant-seed N    pick one value per variant dimension from the integer seed N
  --variant NAME=VAL  set one variant (repeatable; overrides the seed). Variants and values:
${VARIANT_NAMES.map((name) => `                        ${name}: ${VARIANT_VALUES[name].join(" | ")}`).join("\n")}
  --retry-after       shorthand for --variant retryAfter=present
  --no-retry-after    shorthand for --variant retryAfter=absent (the default)
  -h, --help          show this help
  --version           print the version

Control API: <baseUrl>/__emulator/* (see the package README).
`;

class UsageError extends Error {}

interface CliOptions {
  readonly port: number;
  readonly host: string;
  readonly json: boolean;
  readonly v1Revoke: "available" | "gone";
  readonly clock: "frozen" | "real";
  readonly variantSeed: number | undefined;
  readonly variants: Partial<Variants>;
  readonly help: boolean;
  readonly version: boolean;
}

const variantFlags = (values: Record<string, unknown>): Partial<Variants> => {
  const out: Partial<Variants> = {};
  if (values["no-retry-after"] === true) out.retryAfter = "absent";
  if (values["retry-after"] === true) out.retryAfter = "present";
  try {
    for (const flag of (values.variant as Array<string> | undefined) ?? []) {
      Object.assign(out, parseVariantFlag(flag));
    }
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return out;
};

const parseCli = (argv: ReadonlyArray<string>): CliOptions => {
  let values: Record<string, string | boolean | Array<string> | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        json: { type: "boolean" },
        "v1-revoke": { type: "string" },
        "no-retry-after": { type: "boolean" },
        "retry-after": { type: "boolean" },
        "freeze-clock": { type: "boolean" },
        "variant-seed": { type: "string" },
        variant: { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
      },
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const portText = (values.port as string | undefined) ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!/^[0-9]+$/.test(portText) || port > 65_535)
    throw new UsageError(`--port must be 0-65535, got ${portText}`);
  const v1Revoke = (values["v1-revoke"] as string | undefined) ?? "available";
  if (v1Revoke !== "available" && v1Revoke !== "gone") {
    throw new UsageError(`--v1-revoke must be "available" or "gone", got ${v1Revoke}`);
  }
  const seedText = values["variant-seed"] as string | undefined;
  if (seedText !== undefined && !/^[0-9]{1,9}$/.test(seedText)) {
    throw new UsageError(`--variant-seed must be an integer from 0 to 999999999, got ${seedText}`);
  }
  return {
    port,
    host: (values.host as string | undefined) ?? "127.0.0.1",
    json: values.json === true,
    v1Revoke,
    clock: values["freeze-clock"] === true ? "frozen" : "real",
    variantSeed: seedText === undefined ? undefined : Number(seedText),
    variants: variantFlags(values),
    help: values.help === true,
    version: values.version === true,
  };
};

const describe = (emulator: Emulator, json: boolean): string => {
  const seed = emulator.seed;
  const facts = {
    baseUrl: emulator.baseUrl,
    clientId: seed?.client.clientId,
    clientSecret: seed?.client.clientSecret,
    accessToken: seed?.tokens.accessToken,
    refreshToken: seed?.tokens.refreshToken,
    expiresIn: seed?.tokens.expiresIn,
    variants: emulator.settings().variants,
  };
  if (json) return `${JSON.stringify(facts)}\n`;
  const rows: Array<[string, string]> = [
    ["Miro token emulator", emulator.baseUrl],
    ["client id", facts.clientId ?? ""],
    ["client secret", facts.clientSecret ?? ""],
    ["access token", facts.accessToken ?? ""],
    ["refresh token", facts.refreshToken ?? ""],
    ["expires in", `${facts.expiresIn ?? ""} s`],
    [
      "variants",
      Object.entries(facts.variants)
        .map(([name, value]) => `${name}=${value}`)
        .join(" "),
    ],
    ["control API", `${emulator.baseUrl}/__emulator/`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return `${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n")}\nPress Ctrl+C to stop.\n`;
};

const main = async (argv: ReadonlyArray<string>): Promise<void> => {
  const options = parseCli(argv);
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (options.version) {
    process.stdout.write(`miro-token-emulator ${VERSION}\n`);
    return;
  }
  const emulator = await startEmulator({
    port: options.port,
    host: options.host,
    v1Revoke: options.v1Revoke,
    clock: options.clock,
    variants: options.variants,
    ...(options.variantSeed === undefined ? {} : { variantSeed: options.variantSeed }),
  });
  process.stdout.write(describe(emulator, options.json));
  const stop = (): void => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
};

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`miro-token-emulator: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  process.stderr.write(
    `miro-token-emulator: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
