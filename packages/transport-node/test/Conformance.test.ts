// The shared suites, run against both engines: the default (undici) and node:http.
import { transportConformance } from "@miro-token/testkit";
import { NodeTransport } from "../src/index.ts";

transportConformance("node (undici)", NodeTransport.layer);
transportConformance("node (node:http)", NodeTransport.layerWith({ engine: "node:http" }));

// Client conformance (core's TokenClient over this transport) goes here:
// clientConformance("node", NodeTransport.layer);
