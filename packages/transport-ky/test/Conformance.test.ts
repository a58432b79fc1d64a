// The shared suites, run against the default-ky layer.
import { clientConformance, transportConformance } from "@miro-token/testkit";
import { KyTransport } from "../src/index.ts";

transportConformance("ky", KyTransport.layer);

// Core's TokenClient over this transport, against the emulator.
clientConformance("ky", KyTransport.layer);
