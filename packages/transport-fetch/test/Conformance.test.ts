// The shared suites, run against the global-fetch layer.
import { transportConformance } from "@miro-token/testkit";
import { FetchTransport } from "../src/index.ts";

transportConformance("fetch", FetchTransport.layer);

// Client conformance (core's TokenClient over this transport) goes here:
// clientConformance("fetch", FetchTransport.layer);
