/**
 * Masking of secrets for the request log. A secret is replaced by its first 4 characters and a
 * 4-hex-digit fingerprint, e.g. `eyJt…(masked:ab12)`, so log readers can tell two tokens apart
 * without any 8-character slice of the secret surviving. Secrets are found three ways: values of
 * secret-named parameters (query, form and JSON fields, in every encoding they can take in the
 * text), anything shaped like a Miro token, and the secrets the registry knows (client secrets,
 * pending codes).
 */
import { createHash } from "node:crypto";
import { MIRO_TOKEN_PATTERN } from "./Identifiers.ts";

/** Parameter and JSON field names whose values are secrets. */
export const SECRET_NAMES: ReadonlySet<string> = new Set([
  "access_token",
  "refresh_token",
  "client_secret",
  "code",
  "accesstoken",
  "refreshtoken",
  "clientsecret",
  "token",
  "id_token",
  "password",
]);

/** Headers whose whole value is secret (the auth scheme of `authorization` is kept). */
const SECRET_HEADERS: ReadonlySet<string> = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
]);

/** True when a parameter or field name holds a secret. */
export const isSecretName = (name: string): boolean => SECRET_NAMES.has(name.toLowerCase());

/** The masked stand-in for one secret. */
export const maskSecret = (secret: string): string => {
  const fingerprint = createHash("sha256").update(secret).digest("hex").slice(0, 4);
  return secret.length >= 12
    ? `${secret.slice(0, 4)}…(masked:${fingerprint})`
    : `***(masked:${fingerprint})`;
};

/** The ways a secret can be spelled inside a query string, form body or JSON text. */
const spellings = (secret: string): ReadonlyArray<string> => {
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  const json = JSON.stringify(secret).slice(1, -1);
  return [...new Set([secret, encodeURIComponent(secret), form, json])];
};

/** Masks every listed secret (in any spelling) and every Miro-shaped token inside `text`. */
export const maskText = (text: string, secrets: Iterable<string>): string => {
  let masked = text;
  const sorted = [...new Set(secrets)].filter((secret) => secret.length >= 4);
  sorted.sort((a, b) => b.length - a.length);
  for (const secret of sorted) {
    const mask = maskSecret(secret);
    for (const spelling of spellings(secret)) masked = masked.split(spelling).join(mask);
  }
  return masked.replace(MIRO_TOKEN_PATTERN, (token) => maskSecret(token));
};

/** The values of secret-named fields of a JSON text (any depth), or none if it is not JSON. */
const jsonSecrets = (text: string): Array<string> => {
  const found: Array<string> = [];
  const visit = (value: unknown, name: string): void => {
    if (typeof value === "string" && isSecretName(name)) found.push(value);
    else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) visit(item, key);
    }
  };
  try {
    visit(JSON.parse(text), "");
  } catch {
    // Not JSON: the form and pattern passes still apply.
  }
  return found;
};

/** The values of secret-named parameters of a query string or form body. */
export const paramSecrets = (params: URLSearchParams): Array<string> =>
  [...params].filter(([name]) => isSecretName(name)).map(([, value]) => value);

/** Every secret value a request body carries in a secret-named form or JSON field. */
export const bodySecrets = (body: string): Array<string> => [
  ...paramSecrets(new URLSearchParams(body)),
  ...jsonSecrets(body),
];

/** Masks a header value: secret headers entirely (keeping an auth scheme), others by text. */
export const maskHeader = (name: string, value: string, secrets: Iterable<string>): string => {
  if (!SECRET_HEADERS.has(name.toLowerCase())) return maskText(value, secrets);
  const scheme = /^(Bearer|Basic|Token)\s+(.+)$/i.exec(value);
  return scheme === null ? maskSecret(value) : `${scheme[1]} ${maskSecret(scheme[2] ?? "")}`;
};
