/**
 * A NATS event source through a durable JetStream consumer: each message is acknowledged only
 * after the handler's promise (Igniter's durable write) resolved, so a message survives a
 * crash or a stop between delivery and storage (at-least-once, like the RabbitMQ source).
 * A handler failure marked `requeue` is always redelivered; any other failure once, then the
 * message is terminated (dropped). The consumer is created when missing (explicit acks,
 * filtered on the source's subject) and reused when it exists with the same filter.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { JsMsg } from "@nats-io/jetstream";
import { ConnectorError } from "./shared/errors.ts";
import { decodePayload } from "./shared/json.ts";
import type { SubscribeHooks } from "./types.ts";

const KIND = "nats";
/** Messages pulled ahead of the handler; unacked ones count against the consumer's ack limit. */
const BATCH = 64;
/** Delay before a failed message is redelivered. */
const NAK_DELAY_MS = 1000;

export interface JetStreamInput {
  stream: string;
  durable: string;
  deliver: "new" | "all";
  ackWaitSeconds: number;
  maxDeliver?: number;
}

type OnMessage = (message: { subject: string; data: unknown; raw?: string }) => unknown;

function apiCode(err: unknown): number | undefined {
  const e = err as { api_error?: { err_code?: number }; code?: unknown };
  return e?.api_error?.err_code ?? (typeof e?.code === "number" ? e.code : undefined);
}

/** Finds or creates the durable consumer; a consumer filtering another subject is an error. */
async function ensureConsumer(nc: NatsConnection, subject: string, js: JetStreamInput): Promise<void> {
  const { jetstreamManager, AckPolicy, DeliverPolicy } = await import("@nats-io/jetstream");
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(js.stream);
  } catch (err) {
    if (/stream not found/i.test(String((err as Error)?.message)) || apiCode(err) === 10059) {
      throw new ConnectorError(
        KIND,
        `${KIND}: no JetStream stream '${js.stream}': create it (capturing '${subject}') or fix jetstream.stream`,
        "STREAM_NOT_FOUND",
      );
    }
    throw err;
  }
  try {
    const info = await jsm.consumers.info(js.stream, js.durable);
    const filter = info.config.filter_subject ?? "";
    if (filter !== subject) {
      throw new ConnectorError(
        KIND,
        `${KIND}: consumer '${js.durable}' of stream '${js.stream}' filters '${filter || "(all)"}', ` +
          `not '${subject}': use another durable name`,
        "CONSUMER_MISMATCH",
      );
    }
  } catch (err) {
    if (err instanceof ConnectorError) throw err;
    if (!/consumer not found/i.test(String((err as Error)?.message)) && apiCode(err) !== 10014) throw err;
    await jsm.consumers.add(js.stream, {
      durable_name: js.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: js.deliver === "all" ? DeliverPolicy.All : DeliverPolicy.New,
      filter_subject: subject,
      ack_wait: js.ackWaitSeconds * 1_000_000_000,
      ...(js.maxDeliver ? { max_deliver: js.maxDeliver } : {}),
    });
  }
}

function settle(m: JsMsg, outcome: Promise<unknown>) {
  outcome.then(
    () => m.ack(),
    (err) => {
      // the handler's own failure: always redeliver; otherwise once, then drop it
      if ((err as { requeue?: boolean })?.requeue === true || !m.redelivered) m.nak(NAK_DELAY_MS);
      else m.term("the event could not be stored");
    },
  ).catch(() => {}); // the connection closed meanwhile: unacked messages come back after ack_wait
}

/** Consumes `subject` through the durable consumer; resolves once consuming, with its stop(). */
export async function subscribeJetStream(
  nc: NatsConnection,
  subject: string,
  js: JetStreamInput,
  onMessage: OnMessage,
  hooks?: SubscribeHooks,
): Promise<() => Promise<void>> {
  await ensureConsumer(nc, subject, js);
  const { jetstream } = await import("@nats-io/jetstream");
  const consumer = await jetstream(nc).consumers.get(js.stream, js.durable);
  const messages = await consumer.consume({ max_messages: BATCH });
  let stopping = false;
  (async () => {
    for await (const s of messages.status()) {
      if (stopping) return;
      if (s.type === "consumer_deleted" || s.type === "consumer_not_found" || s.type === "stream_not_found") {
        hooks?.onStatus?.(
          "closed",
          new Error(`JetStream ${s.type.replaceAll("_", " ")}: ${js.stream}/${js.durable}`),
        );
        return;
      }
    }
  })().catch(() => {});
  (async () => {
    for await (const m of messages) {
      const { data, raw } = decodePayload(m.data);
      settle(m, new Promise((resolve) => resolve(onMessage({ subject: m.subject, data, raw }))));
    }
  })().catch((err) => {
    if (!stopping) hooks?.onStatus?.("closed", err);
  });
  return async () => {
    stopping = true;
    await messages.close().catch(() => {});
  };
}
