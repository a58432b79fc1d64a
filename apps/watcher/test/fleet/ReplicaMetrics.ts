/**
 * Reading a running replica from outside, as the fleet scenario and the fleet bench do: how
 * many probes it made, from its `/metrics`.
 */

/** Probes a replica made so far (`probe_credits_total` at the default 50 credits per probe). */
export const probesOf = async (url: string): Promise<number> => {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("miro_token_watcher_probe_credits_total"));
  return Number(line?.split(" ").at(-1) ?? Number.NaN) / 50;
};
