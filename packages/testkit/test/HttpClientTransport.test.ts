// Core's adapter from an Effect `HttpClient` passes the suites every transport package runs:
// here over effect's own `FetchHttpClient`, the client an Effect program most likely has.
import { HttpClientTransport } from "@miro-token/core";
import { Layer } from "effect";
import { FetchHttpClient } from "effect/http";
import { clientConformance, transportConformance } from "../src/index.ts";

const layer = HttpClientTransport.layer.pipe(Layer.provide(FetchHttpClient.layer));

transportConformance("effect HttpClient (fetch)", layer);

clientConformance("effect HttpClient (fetch)", layer);
