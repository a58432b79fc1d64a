/**
 * A binary min-heap of items keyed by a due time, with removal of any item by its position:
 * the one timer of `watchMany`'s scheduler (see `WatchScheduler.ts`). One heap over every
 * token costs two numbers per token, where a sleeping fiber per token cost a fiber, a timer
 * and a stream's machinery; pushing and popping are O(log n).
 *
 * Each item carries its own `due` and `slot` (its index in the heap, -1 when not in it), so the
 * heap needs no side table.
 *
 * @since 0.3.0
 */

/**
 * What the heap orders: an item that knows when it is due and where it sits.
 *
 * @category models
 * @since 0.3.0
 */
export interface DueItem {
  /** When the item is due (monotonic ms). */
  due: number;
  /** Its index in the heap, or -1 when it is not in one. */
  slot: number;
}

/**
 * A min-heap of {@link DueItem}s by `due`.
 *
 * @category models
 * @since 0.3.0
 */
export interface DueHeap<A extends DueItem> {
  readonly size: () => number;
  /** The earliest item, without removing it. */
  readonly peek: () => A | undefined;
  /** Add `item` due at `due` (an item already in the heap is moved). */
  readonly push: (item: A, due: number) => void;
  /** Remove and return the earliest item. */
  readonly pop: () => A | undefined;
  /** Remove `item` if it is in the heap. */
  readonly remove: (item: A) => void;
}

/**
 * An empty heap.
 *
 * @category constructors
 * @since 0.3.0
 */
export const makeDueHeap = <A extends DueItem>(): DueHeap<A> => {
  const items: Array<A> = [];
  const place = (item: A, slot: number) => {
    items[slot] = item;
    item.slot = slot;
  };
  const up = (slot: number) => {
    const item = items[slot] as A;
    while (slot > 0) {
      const parentSlot = (slot - 1) >> 1;
      const parent = items[parentSlot] as A;
      if (parent.due <= item.due) break;
      place(parent, slot);
      slot = parentSlot;
    }
    place(item, slot);
  };
  const down = (slot: number) => {
    const item = items[slot] as A;
    const length = items.length;
    for (;;) {
      const left = 2 * slot + 1;
      if (left >= length) break;
      const right = left + 1;
      const child =
        right < length && (items[right] as A).due < (items[left] as A).due ? right : left;
      if ((items[child] as A).due >= item.due) break;
      place(items[child] as A, slot);
      slot = child;
    }
    place(item, slot);
  };
  const removeAt = (slot: number) => {
    const removed = items[slot] as A;
    const last = items.pop() as A;
    removed.slot = -1;
    if (slot < items.length) {
      place(last, slot);
      up(slot);
      down(last.slot);
    }
    return removed;
  };
  return {
    size: () => items.length,
    peek: () => items[0],
    push: (item, due) => {
      if (item.slot >= 0 && items[item.slot] === item) removeAt(item.slot);
      item.due = due;
      items.push(item);
      up(items.length - 1);
    },
    pop: () => (items.length === 0 ? undefined : removeAt(0)),
    remove: (item) => {
      if (item.slot >= 0 && items[item.slot] === item) removeAt(item.slot);
    },
  };
};
