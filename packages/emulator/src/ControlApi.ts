/**
 * The HTTP control API under `/__emulator/*`: the in-process API over JSON, for tests written
 * in other languages or run against the `miro-token-emulator` binary. Requests are not rate
 * limited, not subject to faults and not logged. Bad input answers 400 `invalidParameters`.
 */
import type { Emulator } from "./EmulatorApi.ts";
import type { EmulatorRoute } from "./Faults.ts";
import { invalidParameters, miroError } from "./MiroErrors.ts";
import { emptyReply, jsonReply, type Reply } from "./Reply.ts";
import type { IncomingCall } from "./routes/RouteContext.ts";
import { parseJson } from "./routes/RouteContext.ts";

/** Where the control API lives. */
export const CONTROL_PREFIX = "/__emulator/";

type FieldKind = "string" | "boolean" | "integer" | "string[]" | "object";

const KIND_CHECKS: Readonly<Record<FieldKind, (value: unknown) => boolean>> = {
  string: (value) => typeof value === "string",
  boolean: (value) => typeof value === "boolean",
  integer: (value) => Number.isInteger(value),
  "string[]": (value) => Array.isArray(value) && value.every((item) => typeof item === "string"),
  object: (value) => typeof value === "object" && value !== null && !Array.isArray(value),
};

/** Keeps the listed fields of a JSON object after checking their types; rejects other fields. */
const fields = <T>(
  input: Record<string, unknown>,
  spec: Readonly<Record<string, FieldKind>>,
): T => {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input)) {
    const kind = spec[name];
    if (kind === undefined) throw new TypeError(`unknown field ${name}`);
    if (value === undefined) continue;
    if (!KIND_CHECKS[kind](value)) throw new TypeError(`${name} must be ${kind}`);
    out[name] = value;
  }
  return out as T;
};

/** The JSON object of a control request body (an empty body counts as {}). */
const objectBody = (call: IncomingCall): Record<string, unknown> => {
  if (call.body.trim() === "") return {};
  const json = parseJson(call.body);
  if (!KIND_CHECKS.object(json)) throw new TypeError("body must be a JSON object");
  return json as Record<string, unknown>;
};

type ControlAction = (emulator: Emulator, body: Record<string, unknown>) => Reply;

const noContent = (): Reply => emptyReply(204);

const ACTIONS: Readonly<Record<string, ControlAction>> = {
  "GET seed": (emulator) => jsonReply(200, emulator.seed ?? null),
  "POST tokens": (emulator, body) =>
    jsonReply(
      200,
      emulator.issueTokens(
        fields(body, {
          clientId: "string",
          expiring: "boolean",
          scopes: "string[]",
          userId: "string",
          teamId: "string",
          accessTokenTtlSeconds: "integer",
        }),
      ),
    ),
  "POST tokens/state": (emulator, body) => {
    const { accessToken, refreshToken } = fields<{ accessToken?: string; refreshToken?: string }>(
      body,
      {
        accessToken: "string",
        refreshToken: "string",
      },
    );
    return jsonReply(200, {
      ...(accessToken === undefined ? {} : { accessToken: emulator.accessTokenState(accessToken) }),
      ...(refreshToken === undefined
        ? {}
        : { refreshToken: emulator.refreshTokenState(refreshToken) }),
    });
  },
  "POST tokens/revoke": (emulator, body) => {
    const { accessToken } = fields<{ accessToken?: string }>(body, { accessToken: "string" });
    if (accessToken === undefined) throw new TypeError("accessToken is required");
    emulator.revokeAccess(accessToken);
    return noContent();
  },
  "POST clients": (emulator, body) =>
    jsonReply(
      200,
      emulator.createClient(
        fields(body, {
          clientId: "string",
          clientSecret: "string",
          redirectUris: "string[]",
          expiringTokens: "boolean",
        }),
      ),
    ),
  "POST faults": (emulator, body) => {
    const spec = fields<{ route?: string; fault?: unknown; times?: number }>(body, {
      route: "string",
      fault: "object",
      times: "integer",
    });
    emulator.queueFault(spec.route as EmulatorRoute, spec.fault as never, spec.times ?? 1);
    return noContent();
  },
  "DELETE faults": (emulator) => {
    emulator.clearFaults();
    return noContent();
  },
  "GET clock": (emulator) => jsonReply(200, { now: emulator.clock.now() }),
  "POST clock/advance": (emulator, body) => {
    const { ms } = fields<{ ms?: number }>(body, { ms: "integer" });
    if (ms === undefined) throw new TypeError("ms is required");
    emulator.clock.advance(ms);
    return jsonReply(200, { now: emulator.clock.now() });
  },
  "POST clock/set": (emulator, body) => {
    const { now } = fields<{ now?: number }>(body, { now: "integer" });
    if (now === undefined) throw new TypeError("now is required");
    emulator.clock.set(now);
    return jsonReply(200, { now: emulator.clock.now() });
  },
  "GET requests": (emulator) => jsonReply(200, emulator.requests),
  "DELETE requests": (emulator) => {
    emulator.clearRequests();
    return noContent();
  },
  "GET config": (emulator) => jsonReply(200, emulator.settings()),
  "POST config": (emulator, body) => {
    emulator.configure(
      fields(body, {
        v1Revoke: "string",
        retryAfterOn429: "boolean",
        rateLimit: "object",
        variantSeed: "integer",
        variants: "object",
      }),
    );
    return jsonReply(200, emulator.settings());
  },
};

/** Answers one control API call against `emulator`. */
export const answerControl = (emulator: Emulator, call: IncomingCall): Reply => {
  const name = call.url.pathname.slice(CONTROL_PREFIX.length);
  const action = ACTIONS[`${call.method} ${name}`];
  if (action === undefined) {
    const known = Object.keys(ACTIONS).some((key) => key.endsWith(` ${name}`));
    return known
      ? miroError(
          405,
          "methodNotAllowed",
          `Method ${call.method} is not allowed on ${call.url.pathname}`,
        )
      : miroError(404, "notFound", `No control endpoint ${call.method} ${call.url.pathname}`);
  }
  try {
    return action(emulator, objectBody(call));
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError)
      return invalidParameters(error.message);
    throw error;
  }
};
