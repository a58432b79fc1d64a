// The shared suites, run against the default-ky layer.
import { transportConformance } from "@miro-token/testkit";
import { KyTransport } from "../src/index.ts";

transportConformance("ky", KyTransport.layer);

// Client conformance (core's TokenClient over this transport) goes here:
// clientConformance("ky", KyTransport.layer);
