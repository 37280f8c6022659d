/**
 * An MQTT event source on a persistent session (fixed client id, clean session off): the
 * broker keeps the subscription and queues QoS 1/2 messages while the subscriber is away, and
 * a message is acknowledged (PUBACK/PUBCOMP) only after the handler's promise (Igniter's
 * durable write) resolved — at-least-once, like the RabbitMQ source. mqtt.js sends the
 * acknowledgement when `handleMessage`'s callback is called, one message at a time.
 *
 * A handler failure cannot be "nacked" in MQTT: the client drops the connection without
 * acknowledging, and the runner subscribes again (with backoff) on the same session, which
 * makes the broker deliver the message again (DUP). A redelivered message that fails for a
 * reason that is not ours (`requeue` unset) is acknowledged, i.e. dropped, as RabbitMQ's source
 * drops a message after one requeue.
 */
import type { IClientOptions, MqttClient } from "mqtt";
import type { SubscribeHooks } from "./types.ts";
import { decodePayload } from "./shared/json.ts";

export interface SessionInput {
  clientId: string;
  /** MQTT 5 only: how long the broker keeps the session after a disconnect. */
  expirySeconds: number;
}

type OnMessage = (m: { subject: string; data: unknown; raw?: string; retained?: boolean }) => unknown;

/** Client options of a persistent session for this protocol version. */
export function sessionOptions(session: SessionInput, protocolVersion: 4 | 5): IClientOptions {
  return {
    clientId: session.clientId,
    clean: false,
    ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: session.expirySeconds } } : {}),
  };
}

/**
 * Routes every incoming message through `onMessage` and acknowledges it only when that settles.
 * Install it right after the client is created: a persistent session's queued messages arrive
 * straight after CONNACK, before any SUBSCRIBE.
 */
export function ackAfterHandling(client: MqttClient, onMessage: OnMessage, hooks?: SubscribeHooks): void {
  let failed = false;
  client.handleMessage = (packet, callback) => {
    if (failed) return; // the connection is being dropped: leave it unacknowledged
    const { data, raw } = decodePayload(packet.payload as Uint8Array);
    new Promise((resolve) =>
      resolve(onMessage({ subject: packet.topic, data, raw, retained: packet.retain }))
    )
      .then(() => callback(), (err) => {
        if (!(err as { requeue?: boolean })?.requeue && packet.dup) return callback(); // given up: drop it
        // Not acknowledged: drop the connection so the broker delivers it again on the next one.
        failed = true;
        client.end(true);
        hooks?.onStatus?.("closed", err instanceof Error ? err : new Error(String(err)));
      });
  };
}
