// The shared suites, run against both engines: the default (undici) and node:http.
import { clientConformance, transportConformance } from "@miro-token/testkit";
import { NodeTransport } from "../src/index.ts";
import { NodeHttpTransport } from "../src/node-http.ts";

transportConformance("node (undici)", NodeTransport.layer);
transportConformance("node (node:http)", NodeTransport.layerWith({ engine: "node:http" }));

// Core's TokenClient over this transport, against the emulator.
clientConformance("node (undici)", NodeTransport.layer);
clientConformance("node (node:http)", NodeTransport.layerWith({ engine: "node:http" }));

// The node:http-only entry (`@miro-token/transport-node/node-http`) meets the same contract.
transportConformance("node-http entry", NodeHttpTransport.layer);
clientConformance("node-http entry", NodeHttpTransport.layer);
