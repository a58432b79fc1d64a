// The shared suites, run against both engines: the default (undici) and node:http.
import { clientConformance, transportConformance } from "@miro-token/testkit";
import { NodeTransport } from "../src/index.ts";

transportConformance("node (undici)", NodeTransport.layer);
transportConformance("node (node:http)", NodeTransport.layerWith({ engine: "node:http" }));

// Core's TokenClient over this transport, against the emulator.
clientConformance("node (undici)", NodeTransport.layer);
clientConformance("node (node:http)", NodeTransport.layerWith({ engine: "node:http" }));
