/**
 * What a README fragment (` ```ts fragment `) may use without writing it out: the public names
 * of our packages and Effect, and a few declared stand-ins for the values a fragment assumes
 * (`tokenSet`, `layer`, `store`, ...). Fragments are type-checked against these declarations,
 * never run, so a stand-in needs only its type. Add a name here only when a README needs it.
 */
import type {
  TokenClient as TokenClientService,
  TokenSet,
  TokenStoreShape,
} from "@miro-token/core";
import type { Layer } from "effect";

export {
  Exchange,
  HttpTransport,
  MiroConfig,
  ResponseBody,
  ResponseHeaders,
  TokenClient,
  TokenWatcher,
} from "@miro-token/core";
export { watchToken$ } from "@miro-token/rx";
export { Console, Effect, Layer, Redacted, Stream } from "effect";

/** An access token as text. */
export declare const token: string;
/** A token set, e.g. the one your OAuth callback received. */
export declare const tokenSet: TokenSet;
/** A durable token store (`FileTokenStore.make(...)`). */
export declare const store: TokenStoreShape;
/** `TokenClient.layer` with a transport and `MiroConfig` provided. */
export declare const layer: Layer.Layer<TokenClientService>;
/** Your app's "ask the user to connect again". */
export declare function reconnect(): void;
/** Some HTTP client with a fetch-like call, for "writing a transport". */
export declare const myClient: typeof fetch;
