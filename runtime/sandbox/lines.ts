/** Newline-delimited JSON over byte streams: the wire format between the server and its sandboxes. */

/** Yields each line (without the newline) of a byte stream. */
export async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line) yield line;
    }
  }
  buffer += decoder.decode();
  if (buffer) yield buffer;
}

/** Yields each line that parses as JSON; other lines (stray prints) are skipped. */
export async function* readJsonLines<T = Record<string, unknown>>(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<T> {
  for await (const line of readLines(stream)) {
    let message: T;
    try {
      message = JSON.parse(line);
    } catch {
      continue;
    }
    yield message;
  }
}

/** Serialises writes of JSON lines to a writable stream (one writer, in order). */
export class LineWriter {
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #encoder = new TextEncoder();
  #chain: Promise<void> = Promise.resolve();
  #broken = false;
  constructor(stream: WritableStream<Uint8Array>) {
    this.#writer = stream.getWriter();
  }
  get broken(): boolean {
    return this.#broken;
  }
  send(message: unknown): Promise<void> {
    const bytes = this.#encoder.encode(JSON.stringify(message) + "\n");
    this.#chain = this.#chain.then(() => this.#writer.write(bytes)).catch(() => {
      this.#broken = true;
    });
    return this.#chain;
  }
  async close(): Promise<void> {
    await this.#chain;
    await this.#writer.close().catch(() => {});
  }
}
