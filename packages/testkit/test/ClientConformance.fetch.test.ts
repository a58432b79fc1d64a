// Runs the client conformance suite over the fetch adapter from within testkit, so the suite
// itself is exercised here (each transport package also runs it over its own adapter).
import { FetchTransport } from "../../transport-fetch/src/index.ts";
import { clientConformance } from "../src/ClientConformance.ts";

clientConformance("fetch", FetchTransport.layer);
