/**
 * A strict reader of the Prometheus text exposition format (0.0.4) for tests: it rejects any
 * line that is not a HELP/TYPE comment or a well-formed sample, a sample whose family has no
 * TYPE, duplicate series, and histograms whose buckets are not cumulative or disagree with
 * `_count`. Returns the samples for assertions.
 */

/** One sample. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\["\\n])*)"(?:,|$)/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

const parseValue = (text: string): number => {
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (text === "NaN") return Number.NaN;
  if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value ${text}`);
  return Number(text);
};

const parseLabels = (text: string | undefined): Record<string, string> => {
  const labels: Record<string, string> = {};
  let rest = text ?? "";
  while (rest !== "") {
    const match = LABEL.exec(rest);
    if (match === null) throw new Error(`bad labels {${text}}`);
    if (match[1]! in labels) throw new Error(`duplicate label ${match[1]}`);
    labels[match[1]!] = match[2]!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    rest = rest.slice(match[0].length);
  }
  return labels;
};

/** Parse and validate; throws on the first problem. */
export const parsePrometheusText = (text: string): ReadonlyArray<Sample> => {
  if (!text.endsWith("\n")) throw new Error("exposition must end with a newline");
  const types = new Map<string, string>();
  const samples: Array<Sample> = [];
  const seen = new Set<string>();
  for (const line of text.slice(0, -1).split("\n")) {
    if (line.startsWith("# HELP ")) continue;
    if (line.startsWith("# TYPE ")) {
      const [, , name, type] = line.split(" ");
      if (name === undefined || !new RegExp(`^${NAME}$`).test(name) || !TYPES.has(type ?? "")) {
        throw new Error(`bad TYPE line: ${line}`);
      }
      if (types.has(name)) throw new Error(`TYPE twice for ${name}`);
      types.set(name, type!);
      continue;
    }
    if (line.startsWith("#")) continue;
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`bad sample line: ${line}`);
    const name = match[1]!;
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, "");
    if (!types.has(family)) throw new Error(`sample without TYPE: ${line}`);
    const labels = parseLabels(match[2]);
    const key = `${name}{${Object.entries(labels)
      .sort()
      .map(([k, v]) => `${k}=${v}`)
      .join(",")}}`;
    if (seen.has(key)) throw new Error(`duplicate series ${key}`);
    seen.add(key);
    samples.push({ name, labels, value: parseValue(match[3]!) });
  }
  for (const [family, type] of types) {
    if (type !== "histogram") continue;
    const buckets = samples.filter((s) => s.name === `${family}_bucket`);
    const series = new Map<string, Array<Sample>>();
    for (const b of buckets) {
      const { le, ...rest } = b.labels;
      if (le === undefined) throw new Error(`${family} bucket without le`);
      const key = JSON.stringify(rest);
      series.set(key, [...(series.get(key) ?? []), b]);
    }
    for (const [key, list] of series) {
      let previous = -1;
      for (const b of list) {
        if (b.value < previous) throw new Error(`${family} buckets not cumulative`);
        previous = b.value;
      }
      if (list.at(-1)!.labels.le !== "+Inf") throw new Error(`${family} lacks a +Inf bucket`);
      const count = samples.find(
        (s) => s.name === `${family}_count` && JSON.stringify(s.labels) === key,
      );
      if (count?.value !== list.at(-1)!.value) throw new Error(`${family} +Inf != _count`);
    }
  }
  return samples;
};

/** The value of one series (0 when absent). */
export const seriesValue = (
  samples: ReadonlyArray<Sample>,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
