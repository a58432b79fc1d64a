/**
 * `latestByToken` with rxjs's own TestScheduler (marble tests): store events fold into the
 * latest status per token id, and every event yields the whole snapshot.
 */
import type { TokenStatus, WatchedStatus } from "@miro-token/core";
import { map } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { latestByToken } from "../src/index.ts";

const event = (id: string, tag: "Active" | "Expired"): WatchedStatus => ({
  id,
  fingerprint: `fp-${id}`,
  generation: 1,
  status: { _tag: tag } as TokenStatus,
});

const summary = (snapshot: ReadonlyMap<string, WatchedStatus>): string =>
  [...snapshot.values()].map((e) => `${e.id}:${e.status._tag}`).join(",");

describe("latestByToken", () => {
  it("keeps the latest status per token and emits the whole snapshot on each event", () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, expectObservable }) => {
      const events = cold("a-b-c-|", {
        a: event("t1", "Active"),
        b: event("t2", "Active"),
        c: event("t1", "Expired"),
      });
      expectObservable(events.pipe(latestByToken(), map(summary))).toBe("x-y-z-|", {
        x: "t1:Active",
        y: "t1:Active,t2:Active",
        z: "t1:Expired,t2:Active",
      });
    });
  });
});
