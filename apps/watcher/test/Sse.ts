/**
 * A minimal Server-Sent Events client over fetch for tests: it parses `event:`/`data:` frames
 * as they arrive and keeps them in order, with the raw text for leak checks.
 */

/** One received SSE message. */
export interface SseMessage {
  readonly event: string;
  readonly data: string;
}

/** An open `/events` connection. */
export interface SseConnection {
  readonly messages: Array<SseMessage>;
  readonly raw: () => string;
  /** Whether the server ended the stream. */
  readonly ended: () => boolean;
  readonly close: () => void;
}

/** Connect to `url` and start collecting messages; resolves once the headers arrived. */
export const connectSse = async (url: string): Promise<SseConnection> => {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  if (response.status !== 200) throw new Error(`SSE status ${response.status}`);
  if (!response.headers.get("content-type")?.startsWith("text/event-stream")) {
    throw new Error(`SSE content type ${response.headers.get("content-type")}`);
  }
  const messages: Array<SseMessage> = [];
  let raw = "";
  let buffer = "";
  let ended = false;
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          ended = true;
          return;
        }
        raw += value;
        buffer += value;
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = "message";
          const data: Array<string> = [];
          for (const line of frame.split("\n")) {
            if (line.startsWith("event: ")) event = line.slice(7);
            else if (line.startsWith("data: ")) data.push(line.slice(6));
          }
          if (data.length > 0) messages.push({ event, data: data.join("\n") });
          end = buffer.indexOf("\n\n");
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return { messages, raw: () => raw, ended: () => ended, close: () => controller.abort() };
};
