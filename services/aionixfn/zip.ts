/**
 * A small reader for .zip bundles (stored and deflate entries), using the platform's
 * DecompressionStream — enough for function code bundles without a native dependency.
 */
import { BadRequestError } from "../../runtime/errors.ts";

async function inflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new DecompressionStream("deflate-raw"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Returns the files of a zip archive by path (directories are skipped). */
export async function unzip(bytes: Uint8Array, limits = { maxFiles: 1000, maxBytes: 50 * 1024 * 1024 }) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new BadRequestError("zip: not a zip archive (no end-of-central-directory record)");
  const count = view.getUint16(eocd + 10, true);
  if (count > limits.maxFiles) throw new BadRequestError(`zip: more than ${limits.maxFiles} entries`);
  let p = view.getUint32(eocd + 16, true);
  const files: Record<string, Uint8Array> = {};
  let total = 0;
  const decoder = new TextDecoder();
  for (let n = 0; n < count; n++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) {
      throw new BadRequestError("zip: corrupt central directory");
    }
    const method = view.getUint16(p + 10, true);
    const compressed = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const local = view.getUint32(p + 42, true);
    const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith("/")) continue;
    total += size;
    if (total > limits.maxBytes) {
      throw new BadRequestError(`zip: more than ${limits.maxBytes} bytes uncompressed`);
    }
    if (view.getUint32(local, true) !== 0x04034b50) throw new BadRequestError(`zip: corrupt entry '${name}'`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const data = bytes.subarray(start, start + compressed);
    if (method === 0) files[name] = data.slice();
    else if (method === 8) files[name] = await inflateRaw(data);
    else {throw new BadRequestError(
        `zip: entry '${name}' uses compression method ${method}; use deflate or store`,
      );}
  }
  return files;
}
