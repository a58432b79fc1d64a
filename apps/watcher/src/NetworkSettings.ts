/**
 * The watcher's network flags, read apart from the rest of its configuration so the rules stay
 * in one place each: the Miro base URL goes through core's rule (`checkBaseUrl`: https, plain
 * http only to loopback unless `--allow-insecure-http`, never credentials), and the HTTP
 * surface's access settings come from `HttpAccess.ts` (`--allowed-host`, `--http-token-file`,
 * refused beyond loopback without a token). The token file is read by the same bounded reader
 * as every other file input. Problems and warnings never quote a secret.
 *
 * @since 0.1.0
 */
import { resolve } from "node:path";
import { checkBaseUrl, INSECURE_HTTP_WARNING } from "@miro-token/core";
import { type Redacted, Result } from "effect";
import { accessProblem, accessTokenFromText } from "./HttpAccess.ts";
import { looseModeWarning, readSettingFile, type SettingReaders } from "./SettingReaders.ts";

/**
 * The network part of the configuration.
 *
 * @category models
 * @since 0.1.0
 */
export interface NetworkSettings {
  readonly baseUrl: string;
  readonly allowInsecureHttp: boolean;
  readonly allowedHosts: ReadonlyArray<string>;
  readonly httpToken: Redacted.Redacted<string> | undefined;
}

/** A host name or address as `--allowed-host` takes it (no port, no path). */
const HOST_NAME = /^[A-Za-z0-9.:[\]-]{1,253}$/;

/**
 * Read the network flags. Problems and warnings are appended to the caller's lists.
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseNetworkSettings = async (
  host: string,
  source: Pick<SettingReaders, "setting" | "enabled">,
  problems: Array<string>,
  warnings: Array<string>,
): Promise<NetworkSettings> => {
  const allowInsecureHttp = source.enabled("allow-insecure-http");
  let baseUrl = "https://api.miro.com";
  const baseUrlSetting = source.setting("base-url");
  if (baseUrlSetting !== undefined) {
    const checked = checkBaseUrl(baseUrlSetting.text, { allowInsecureHttp });
    if (Result.isFailure(checked))
      problems.push(`${baseUrlSetting.from} ${checked.failure.reason}`);
    else {
      baseUrl = checked.success.url;
      if (checked.success.insecure) warnings.push(INSECURE_HTTP_WARNING);
    }
  }

  // Repeated flags arrive joined with commas, like the variable's list.
  const allowedHosts = (source.setting("allowed-host")?.text ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  for (const name of allowedHosts)
    if (!HOST_NAME.test(name))
      problems.push("--allowed-host takes a host name or address, without port or path");

  const tokenFile = source.setting("http-token-file");
  let httpToken: Redacted.Redacted<string> | undefined;
  if (tokenFile !== undefined) {
    const path = resolve(tokenFile.text);
    const read = await readSettingFile(path);
    const token = Result.isFailure(read)
      ? Result.fail(`cannot be read (${read.failure})`)
      : accessTokenFromText(read.success);
    if (Result.isFailure(token)) problems.push(`${tokenFile.from}: the file ${token.failure}`);
    else {
      httpToken = token.success;
      const loose = looseModeWarning(path, "the access token file");
      if (loose !== undefined) warnings.push(loose);
    }
  }
  const refusal = accessProblem(host, { token: httpToken });
  if (refusal !== undefined && tokenFile === undefined) problems.push(refusal);
  if (["0.0.0.0", "::", "[::]"].includes(host) && allowedHosts.length === 0)
    warnings.push(
      `listening on ${host}: only loopback names are answered (others get 421); add the names clients use with --allowed-host`,
    );
  return { baseUrl, allowInsecureHttp, allowedHosts, httpToken };
};
