/**
 * The Effect -> rxjs bridge: elements, completion, typed failures (the same instance), defects,
 * and that unsubscribing interrupts the stream so its finalizers run.
 */
import { InvalidTokenError } from "@miro-token/core";
import { Context, Effect, Layer, Stream } from "effect";
import { firstValueFrom, lastValueFrom, take, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { toObservable } from "../src/index.ts";

class Prefix extends Context.Service<Prefix, { readonly value: string }>()("test/Prefix") {}
const prefixLayer = Layer.succeed(Prefix, Prefix.of({ value: "n" }));

describe("toObservable", () => {
  it("emits each element with the layer's services, then completes", async () => {
    const stream = Stream.fromIterable([1, 2, 3]).pipe(
      Stream.mapEffect((n) => Prefix.use((p) => Effect.succeed(`${p.value}${n}`))),
    );
    expect(await lastValueFrom(toObservable(stream, prefixLayer).pipe(toArray()))).toEqual([
      "n1",
      "n2",
      "n3",
    ]);
  });

  it("hands a typed failure to error as the same instance", async () => {
    const failure = new InvalidTokenError({
      status: 400,
      attempts: 1,
      method: "GET",
      endpoint: "x",
    });
    const stream = Stream.concat(Stream.make(1), Stream.fail(failure));
    const seen: Array<number> = [];
    const error = await new Promise((resolve) => {
      toObservable(stream, Layer.empty).subscribe({ next: (n) => seen.push(n), error: resolve });
    });
    expect(seen).toEqual([1]);
    expect(error).toBe(failure);
    expect((error as InvalidTokenError)._tag).toBe("InvalidTokenError");
  });

  it("hands a defect to error", async () => {
    const boom = new Error("boom");
    const stream = Stream.fromEffect(Effect.die(boom));
    await expect(firstValueFrom(toObservable(stream, Layer.empty))).rejects.toBe(boom);
  });

  it("interrupts the stream on unsubscribe, and its finalizers run", async () => {
    let finalized!: () => void;
    const finalizerRan = new Promise<void>((resolve) => {
      finalized = resolve;
    });
    let started = 0;
    const endless = Stream.fromEffect(Effect.sync(() => ++started)).pipe(
      Stream.concat(Stream.never),
      Stream.ensuring(Effect.sync(() => finalized())),
    );
    const values = await lastValueFrom(toObservable(endless, Layer.empty).pipe(take(1), toArray()));
    expect(values).toEqual([1]);
    await finalizerRan;
    expect(started).toBe(1);
  });

  it("is cold: each subscription runs the stream anew", async () => {
    let runs = 0;
    const stream = Stream.fromEffect(Effect.sync(() => ++runs));
    const source = toObservable(stream, Layer.empty);
    expect(await firstValueFrom(source)).toBe(1);
    expect(await firstValueFrom(source)).toBe(2);
  });
});
