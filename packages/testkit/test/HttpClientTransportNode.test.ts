// Core's adapter over @effect/platform-node's undici client: a client whose responses are not
// Web `Response`s, so the adapter reads headers from Effect's record and the body from the
// client's byte stream. It must pass the same suites.
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient";
import { HttpClientTransport } from "@miro-token/core";
import { Layer } from "effect";
import { clientConformance, transportConformance } from "../src/index.ts";

const layer = HttpClientTransport.layer.pipe(Layer.provide(NodeHttpClient.layerUndici));

transportConformance("effect HttpClient (undici)", layer);

clientConformance("effect HttpClient (undici)", layer);
