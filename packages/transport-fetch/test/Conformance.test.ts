// The shared suites, run against the global-fetch layer.
import { clientConformance, transportConformance } from "@miro-token/testkit";
import { FetchTransport } from "../src/index.ts";

transportConformance("fetch", FetchTransport.layer);

// Core's TokenClient over this transport, against the emulator.
clientConformance("fetch", FetchTransport.layer);
