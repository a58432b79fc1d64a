// readBodyCapped over in-memory WHATWG and Node streams: the cap counts bytes, stopping
// releases the source, and decoding never throws.
import { Readable } from "node:stream";
import { describe, expect, it } from "@effect/vitest";
import { ResponseBody } from "../src/index.ts";

const streamOf = (chunks: ReadonlyArray<Uint8Array>, onCancel: () => void = () => undefined) => {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[index++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
    cancel: onCancel,
  });
};

describe("readBodyCapped", () => {
  it("reads a body of exactly the cap and refuses one byte more", async () => {
    const body = new Uint8Array(10).fill(0x61);
    expect(await ResponseBody.readBodyCapped(streamOf([body]), 10)).toBe("a".repeat(10));
    expect(await ResponseBody.readBodyCapped(streamOf([body, new Uint8Array(1)]), 10)).toBe(
      ResponseBody.BodyTooLarge,
    );
  });

  it("cancels a WHATWG stream past the cap and reads nothing further", async () => {
    let cancelled = false;
    const chunks = Array.from({ length: 100 }, () => new Uint8Array(1024));
    const pulled: Array<number> = [];
    const source = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled.push(1);
          controller.enqueue(chunks[pulled.length - 1] ?? new Uint8Array(0));
        },
        cancel() {
          cancelled = true;
        },
      },
      { highWaterMark: 0 },
    );
    expect(await ResponseBody.readBodyCapped(source, 4096)).toBe(ResponseBody.BodyTooLarge);
    expect(cancelled).toBe(true);
    expect(pulled.length).toBe(5);
  });

  it("destroys a Node stream past the cap", async () => {
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < 100; i++) yield Buffer.alloc(1024);
      })(),
    );
    expect(await ResponseBody.readBodyCapped(source, 2048)).toBe(ResponseBody.BodyTooLarge);
    expect(source.destroyed).toBe(true);
  });

  it("decodes a character split across chunks, and replaces invalid bytes", async () => {
    const euro = Buffer.from("€");
    const split = [euro.subarray(0, 1), euro.subarray(1), Buffer.from([0xff, 0x41, 0xe2])];
    expect(await ResponseBody.readBodyCapped(streamOf(split), 100)).toBe("€\uFFFDA\uFFFD");
    expect(await ResponseBody.readBodyCapped(Readable.from(split), 100)).toBe("€\uFFFDA\uFFFD");
  });

  it("reads a missing body as empty", async () => {
    expect(await ResponseBody.readBodyCapped(null, 0)).toBe("");
  });
});
