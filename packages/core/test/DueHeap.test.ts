/**
 * The scheduler's heap: whatever the pushes, moves and removals, items come out in due order
 * and exactly the items still in the heap come out (fast-check against a sorted list).
 */
import { describe, expect, it } from "@effect/vitest";
import fc from "fast-check";
import { makeDueHeap } from "../src/internal.ts";

interface Item {
  readonly name: number;
  due: number;
  slot: number;
}

const operation = fc.oneof(
  fc.record({
    op: fc.constant("push" as const),
    item: fc.nat(20),
    due: fc.integer({ min: -50, max: 50 }),
  }),
  fc.record({ op: fc.constant("remove" as const), item: fc.nat(20) }),
  fc.record({ op: fc.constant("pop" as const) }),
);

describe("DueHeap", () => {
  it("pops in due order, with moves and removals, and holds each item once", () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 200 }), (operations) => {
        const heap = makeDueHeap<Item>();
        const items = Array.from({ length: 21 }, (_, name): Item => ({ name, due: 0, slot: -1 }));
        const model = new Map<number, number>();
        for (const o of operations) {
          if (o.op === "push") {
            heap.push(items[o.item]!, o.due);
            model.set(o.item, o.due);
          } else if (o.op === "remove") {
            heap.remove(items[o.item]!);
            model.delete(o.item);
          } else {
            const popped = heap.pop();
            const least = Math.min(...model.values());
            if (popped === undefined) {
              if (model.size !== 0) return false;
            } else {
              if (popped.due !== least || model.get(popped.name) !== least) return false;
              model.delete(popped.name);
            }
          }
          if (heap.size() !== model.size) return false;
        }
        const rest: Array<number> = [];
        for (let item = heap.pop(); item !== undefined; item = heap.pop()) rest.push(item.due);
        expect(rest).toEqual([...model.values()].sort((a, b) => a - b));
        return true;
      }),
      { seed: 20261130, numRuns: 2_000 },
    );
  });
});
