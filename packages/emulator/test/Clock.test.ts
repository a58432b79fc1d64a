/**
 * The two emulator clocks: the frozen one moves only when told, the following one moves with
 * the wall clock it is given (a fake one here, so nothing sleeps) and can still be advanced or set.
 */
import { describe, expect, it } from "vitest";
import { FollowingClock, ManualClock } from "../src/Clock.ts";
import { startEmulator } from "../src/index.ts";

describe("emulator clocks", () => {
  it("a FollowingClock follows its wall clock from where it was started, advanced or set", () => {
    let wall = 1_000;
    const clock = new FollowingClock(50_000, () => wall);
    expect(clock.now()).toBe(50_000);
    wall += 1_500;
    expect(clock.now()).toBe(51_500);
    clock.advance(60_000);
    expect(clock.now()).toBe(111_500);
    wall += 10;
    expect(clock.now()).toBe(111_510);
    clock.set(7_000);
    wall += 5;
    expect(clock.now()).toBe(7_005);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  it("a ManualClock stands still", () => {
    const clock = new ManualClock(42);
    expect(clock.now()).toBe(42);
    clock.advance(8);
    expect(clock.now()).toBe(50);
  });

  it("startEmulator: frozen by default, real when asked, anything else refused", async () => {
    const frozen = await startEmulator({ now: 1_000, seed: false });
    const real = await startEmulator({ now: 1_000, seed: false, clock: "real" });
    try {
      expect(frozen.settings().clock).toBe("frozen");
      expect(real.settings().clock).toBe("real");
    } finally {
      await frozen.close();
      await real.close();
    }
    await expect(startEmulator({ clock: "wall" as never })).rejects.toThrow(TypeError);
  });
});
