/**
 * The table `FastArgv.ts` reads `info`'s argv with, derived from the program's own `effect/cli`
 * flag declarations (the shared `globalFlags` and `info`'s `infoFlags`), so there is one
 * definition of every flag. Each flag is walked down to its leaf: its long name, its primitive
 * (boolean, string, integer or a choice with its keys), whether it is optional and, for
 * `withDefault`, the default (the default's own function applied to "absent"). A flag of any
 * other shape makes the derivation throw: the build fails rather than read it differently.
 *
 * The build (`scripts/fast-argv.ts`) bakes the result into the entry chunk; `Main.ts` derives
 * it in process.
 */
import { Option } from "effect";
import type { Param } from "effect/cli";
import { infoConfig } from "./commands/InfoCommand.ts";
import type { FastArgvTable, FastFlag, FastFlagType } from "./FastArgv.ts";
import { globalFlags } from "./GlobalOptions.ts";

type AnyFlag = Param.Param<"flag", unknown>;
type Node =
  | Param.Single<"flag", unknown>
  | Param.Optional<"flag", unknown>
  | Param.Map<"flag", unknown, unknown>;

const typeOf = (primitive: { readonly _tag: string }): FastFlagType => {
  switch (primitive._tag) {
    case "Boolean":
      return "boolean";
    case "String":
      return "string";
    case "Int":
      return "int";
    case "Choice":
      return "choice";
  }
  throw new Error(`fast argv: a ${primitive._tag} flag is not supported`);
};

const leafOf = (
  flag: AnyFlag,
): { single: Param.Single<"flag", unknown>; optional: boolean; map?: (a: unknown) => unknown } => {
  const node = flag as Node;
  switch (node._tag) {
    case "Single":
      return { single: node, optional: false };
    case "Optional": {
      const inner = leafOf(node.param);
      if (inner.optional || inner.map !== undefined) break;
      return { single: inner.single, optional: true };
    }
    case "Map": {
      const inner = leafOf(node.param);
      if (!inner.optional || inner.map !== undefined) break;
      return { ...inner, map: node.f };
    }
  }
  throw new Error(`fast argv: a flag of shape ${flag._tag} is not supported`);
};

const entryOf = (key: string, flag: AnyFlag, scope: FastFlag["scope"]): [string, FastFlag] => {
  const { single, optional, map } = leafOf(flag);
  const primitive = single.primitiveType as unknown as {
    readonly _tag: string;
    readonly choiceKeys?: ReadonlyArray<string>;
  };
  const base = { key, scope, type: typeOf(primitive), choices: primitive.choiceKeys };
  if (map === undefined) return [single.name, { ...base, optional }];
  const fallback = map(Option.none());
  if (
    typeof fallback !== "string" &&
    typeof fallback !== "number" &&
    typeof fallback !== "boolean"
  ) {
    throw new Error(`fast argv: --${single.name} has a default that is not a plain value`);
  }
  return [single.name, { ...base, optional: false, default: fallback }];
};

/** The key of the command's one positional argument: optional, read only as `-` here. */
const positionalKeyOf = (config: Readonly<Record<string, Param.Any>>): string => {
  const positional = Object.entries(config).filter(([, param]) => param.kind === "argument");
  const [only] = positional;
  if (positional.length !== 1 || only === undefined || only[1]._tag !== "Optional") {
    throw new Error("fast argv: the command must have exactly one positional argument, optional");
  }
  return only[0];
};

/** The table of `info`: the shared flags and its own, its positional `-`. */
export const deriveFastArgvTable = (): FastArgvTable => ({
  command: "info",
  flags: Object.fromEntries([
    ...Object.entries(globalFlags).map(([key, flag]) => entryOf(key, flag, "global")),
    ...Object.entries(infoConfig)
      .filter(([, param]) => param.kind === "flag")
      .map(([key, flag]) => entryOf(key, flag as AnyFlag, "command")),
  ]),
  stdinKey: positionalKeyOf(infoConfig),
});
