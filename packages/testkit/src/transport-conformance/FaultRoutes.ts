/**
 * The fault server's routes: each path misbehaves in one way an HTTP client must survive —
 * echo, any status, repeated and mixed-case headers, a redirect, invalid UTF-8, a reset, a
 * truncated body, a hang, a drip, and an oversized chunked body paced so the server's byte
 * count bounds what the client read. `/<kind>/<arg>` selects the behaviour.
 */
import type * as http from "node:http";

/** Bytes that are not valid UTF-8 (served by `/invalid-utf8`). */
export const INVALID_UTF8 = Buffer.from([0x68, 0x69, 0xff, 0xfe, 0xc3, 0x28, 0x21, 0xe2, 0x82]);

/**
 * Answers one request by its path; `started` is called once a hang or a drip has begun, so a
 * test can act on a request known to be in flight.
 */
export const route = (
  path: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  started: () => void,
): void => {
  const [, kind = "", arg = ""] = path.split("/");
  switch (kind) {
    case "echo": {
      const chunks: Array<Buffer> = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify({
            method: req.method,
            headers: req.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      });
      return;
    }
    case "status": {
      const status = Number(arg);
      res.writeHead(status, { "x-status": arg });
      res.end(status === 204 || status === 304 ? undefined : `status ${arg}`);
      return;
    }
    case "headers":
      res.setHeader("X-Multi", ["a", "b"]);
      res.setHeader("Set-Cookie", ["one=1", "two=2"]);
      // Node's `headers` object keeps only the first of these: an adapter must not.
      res.setHeader("Retry-After", ["1", "2"]);
      res.setHeader("X-Mixed-Case", "Value");
      res.end("ok");
      return;
    case "redirect":
      res.writeHead(302, { location: "/echo" });
      res.end();
      return;
    case "invalid-utf8":
      res.end(INVALID_UTF8);
      return;
    case "split-utf8": {
      // "€" is three bytes: the first one ends the first chunk, the rest come 20 ms later.
      const euro = Buffer.from("€");
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      res.write(Buffer.concat([Buffer.from("price: 10 "), euro.subarray(0, 1)]), () =>
        setTimeout(() => res.end(euro.subarray(1)), 20),
      );
      return;
    }
    case "reset":
      req.socket.resetAndDestroy();
      return;
    case "truncated":
      res.writeHead(200, { "content-length": "1000" });
      res.write("only ten b", () => req.socket.destroy());
      return;
    case "hang":
      started();
      return;
    case "drip": {
      res.writeHead(200, { "content-type": "text/plain" });
      const timer = setInterval(() => {
        res.write("x");
        started();
      }, 10);
      req.socket.once("close", () => clearInterval(timer));
      return;
    }
    case "oversized": {
      // Chunked, no content-length: the cap must hold while streaming, not by a header check.
      // Paced (one 64 KiB chunk per millisecond, once the last one left the socket) so kernel
      // buffers stay nearly empty and the bytes written approximate the bytes the client read.
      res.writeHead(200, { "content-type": "application/octet-stream" });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let remaining = Number.parseInt(arg, 10);
      const pump = (): void => {
        if (res.destroyed) return;
        if (remaining <= 0) {
          res.end();
          return;
        }
        remaining -= chunk.length;
        res.write(chunk, () => setTimeout(pump, 1));
      };
      pump();
      return;
    }
    default:
      res.writeHead(404);
      res.end();
  }
};
