/**
 * A Redis event source on a stream through a consumer group: XREADGROUP delivers entries,
 * and an entry is XACKed only after the handler's promise (Igniter's durable write) resolved
 * — at-least-once, like the RabbitMQ source. Entries left pending by a crash or a stop are
 * read again (id 0) when the source subscribes next with the same consumer name. A handler
 * failure marked `requeue` is always retried; any other failure once, then the entry is acked
 * (dropped). The group is created (MKSTREAM) when missing.
 *
 * An entry's fields become the event's data: `{field: value}`, each value JSON-decoded when it
 * is JSON; the stream key is the subject. The connection's keyPrefix applies to the key.
 */
import type { Redis } from "ioredis";
import type { SubscribeHooks } from "./types.ts";

export interface StreamInput {
  key: string;
  group: string;
  consumer: string;
  start: "new" | "all";
}

type OnMessage = (m: { subject: string; data: unknown; raw?: string }) => unknown;
type Entry = [id: string, fields: string[]];

const BATCH = 64;
const BLOCK_MS = 2000;
/** Pause before pending entries are read again after a failure. */
const RETRY_MS = 1000;

function decodeFields(fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1];
    try {
      out[fields[i]] = JSON.parse(value);
    } catch {
      out[fields[i]] = value;
    }
  }
  return out;
}

/** The entries of a one-stream XREADGROUP reply: `[[key, entries]]` (RESP2) or `[key, entries]`. */
function entriesOf(reply: unknown): Entry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const stream = typeof reply[0] === "string" ? reply : reply[0];
  return Array.isArray(stream?.[1]) ? stream[1] as Entry[] : [];
}

/** Consumes the stream on a dedicated connection (blocking reads); resolves with its stop(). */
export async function subscribeStream(
  redis: Redis,
  input: StreamInput & { prefix: string },
  onMessage: OnMessage,
  hooks?: SubscribeHooks,
): Promise<() => Promise<void>> {
  const key = input.prefix + input.key;
  try {
    await redis.xgroup("CREATE", key, input.group, input.start === "all" ? "0" : "$", "MKSTREAM");
  } catch (err) {
    if (!/BUSYGROUP/.test(String((err as Error)?.message))) throw err;
  }
  let stopping = false;
  let readPending = true; // first take back what this consumer left unacknowledged
  const failures = new Map<string, number>();

  const handle = async ([id, fields]: Entry): Promise<void> => {
    const data = decodeFields(fields);
    try {
      await onMessage({ subject: input.key, data, raw: JSON.stringify(data) });
    } catch (err) {
      const n = (failures.get(id) ?? 0) + 1;
      if ((err as { requeue?: boolean })?.requeue === true || n < 2) {
        failures.set(id, n);
        readPending = true;
        return; // stays pending: read again after RETRY_MS
      }
    }
    failures.delete(id);
    if (!stopping) await redis.xack(key, input.group, id);
  };

  const loop = async () => {
    while (!stopping) {
      const pending = readPending;
      if (pending && failures.size) await new Promise((r) => setTimeout(r, RETRY_MS));
      if (stopping) return;
      readPending = false;
      const reply = await redis.call(
        "XREADGROUP",
        "GROUP",
        input.group,
        input.consumer,
        "COUNT",
        BATCH,
        ...(pending ? [] : ["BLOCK", BLOCK_MS]),
        "STREAMS",
        key,
        pending ? "0" : ">",
      );
      const entries = entriesOf(reply).filter((e) => e[1] !== null);
      // a full page of pending entries may hide more: keep reading them
      if (pending && entries.length === BATCH) readPending = true;
      await Promise.all(entries.map(handle));
    }
  };
  loop().catch((err) => {
    if (!stopping) hooks?.onStatus?.("closed", err instanceof Error ? err : new Error(String(err)));
  });
  return () => {
    stopping = true;
    redis.disconnect(); // interrupts the blocking read; unacked entries stay pending
    return Promise.resolve();
  };
}
