/**
 * `miro-token login`: the flags, help and examples of the browser authorization-code flow; the
 * body (`LoginRun.ts`) is loaded when the command runs.
 */
import { Command, Flag } from "effect/cli";
import { handler, showTokenFlag, storeFlags } from "../CommandKit.ts";

const flags = {
  ...storeFlags("Save the token set in this store", "not saved"),
  id: Flag.String("id").pipe(
    Flag.optional,
    Flag.withDescription("Id to save the token under (default: the user id Miro returns)"),
  ),
  port: Flag.Int("port").pipe(
    Flag.withDefault(0),
    Flag.withDescription(
      "Loopback port of the redirect URI http://127.0.0.1:<port>/callback; 0 picks a free one (default: 0)",
    ),
  ),
  scope: Flag.String("scope").pipe(
    Flag.optional,
    Flag.withDescription("Scopes to ask for, space or comma separated (default: the app's scopes)"),
  ),
  authorizeUrl: Flag.String("authorize-url").pipe(
    Flag.optional,
    Flag.withMetavar("url"),
    Flag.withDescription(
      "Authorize endpoint (default: https://miro.com/oauth/authorize, or <base-url>/oauth/authorize for another base URL)",
    ),
  ),
  wait: Flag.String("wait").pipe(
    Flag.withDefault("5m"),
    Flag.withMetavar("duration"),
    Flag.withDescription("How long to wait for the browser to come back (default: 5m)"),
  ),
  noBrowser: Flag.Boolean("no-browser").pipe(
    Flag.withDefault(false),
    Flag.withDescription("Only print the authorize URL, never open a browser (default: false)"),
  ),
  showToken: showTokenFlag,
};

/** The parsed flags of `login`, inferred from their declarations. */
export type LoginInput = Command.Command.Config.Infer<typeof flags>;

/** `miro-token login`. */
export const loginCommand = Command.make(
  "login",
  flags,
  handler(
    () => import("./LoginRun.ts"),
    (module) => module.runLogin,
  ),
).pipe(
  Command.withShortDescription("Authorize the app in a browser and save the token set"),
  Command.withDescription(
    "Run Miro's authorization-code flow on a loopback redirect URI: listen on http://127.0.0.1:<port>/callback, print the authorize URL (and open it on a desktop), check the returned state, exchange the code with the client credentials, and save the token set in the store. Exit 4 when the user denies access, the state does not match, or nobody comes back within --wait.",
  ),
  Command.withExamples([
    {
      command:
        "MIRO_CLIENT_SECRET=... miro-token login --client-id 3458764... --store ~/.miro-token",
      description: "Sign in and keep the tokens in a store",
    },
    {
      command:
        "miro-token --base-url http://127.0.0.1:8710 login --client-id <emulator client> --no-browser",
      description: "Against the emulator (its /oauth/authorize approves at once)",
    },
  ]),
);
