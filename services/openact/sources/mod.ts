/**
 * Event sources: Redis pub/sub or streams, RabbitMQ queues, MQTT topic filters and NATS subjects
 * or JetStream consumers whose messages become Igniter events. `trn:openact:{tenant}:event-source/{name}` subscribes on a
 * connection; each message is published as the system event
 * `{ source: "aionix.openact", detailType, detail: { eventSource, connection, kind, subject, data },
 * resources: [sourceTrn, connectionTrn] }` through `deps.events.publishAndWait()`, which
 * resolves once Igniter (a durable listener) has matched the event and committed the firings
 * of every matching rule to SQLite. An event that matches no rule is not stored (as in
 * EventBridge).
 *
 * Delivery guarantee per kind (what happens to a message the broker handed to OpenAct):
 * - rabbitmq — at-least-once. The delivery is acked only after Igniter committed its firings;
 *   if storing fails it is retried (0.2 s, 1 s, 3 s), then nacked with requeue; with no Igniter
 *   in the server it is never acked and stays queued. A crash (kill -9) before the ack leaves it
 *   unacked, so the broker redelivers it: a crash between commit and ack gives a duplicate run.
 *   Messages sent while the server is down wait in the queue (durable queue + persistent msgs).
 * - mqtt with `session: {clientId}` — at-least-once: a persistent session (clean session off;
 *   MQTT 5 session expiry `expirySeconds`), QoS 1/2 messages are acknowledged only after Igniter
 *   committed their firings; a failure drops the connection unacknowledged and the source
 *   subscribes again, so the broker redelivers it (once, unless the failure was ours); messages
 *   published while the server is down are queued by the broker. The session outlives a
 *   disabled or deleted source: the broker keeps queueing for that client id until it expires.
 * - mqtt (clean session) — at-most-once. mqtt.js PUBACKs a QoS 1/2 message as soon as the
 *   handler returns, before Igniter's commit, so a crash in that window or messages published
 *   while disconnected are lost. Retained messages are delivered again on every (re)subscribe;
 *   their events carry `retained: true`.
 * - redis with `stream: {key, group?, consumer?}` — at-least-once: a consumer group (created
 *   with MKSTREAM when missing); an entry is XACKed only after Igniter committed its firings, a
 *   failure leaves it pending and it is read again (once, unless the failure was ours); entries
 *   a crash left pending are read again when the same consumer name subscribes next; entries
 *   added while the server is down wait in the stream.
 * - redis channels/patterns — at-most-once: pub/sub has no acknowledgement or persistence;
 *   messages published while the subscriber is disconnected (or the server is down) are lost.
 * - nats with `jetstream: {stream, durable}` — at-least-once, as rabbitmq: a durable JetStream
 *   consumer (created when missing, explicit acks) acks a message only after Igniter committed
 *   its firings; a failure is nak'ed (redelivered), once unless it was ours, then terminated;
 *   a crash leaves it unacked and JetStream redelivers it after ackWaitSeconds; messages
 *   published while the server is down wait in the stream.
 * - nats (core subject, optional queue group) — at-most-once: no acknowledgement; messages
 *   published while disconnected are lost.
 * "Stored" means committed in SQLite WAL mode: it survives a process crash; an OS crash or power
 * loss can lose the last commits unless `database.synchronous = "FULL"`.
 *
 * Connection loss after subscribing is retried by each driver (status `reconnecting`, then
 * `running`); a failed first subscribe or a driver that gives up is retried here with backoff
 * (1 s doubling to 30 s, status `error`). lastError is credential-redacted.
 */
export { SourceRunner } from "./runner.ts";
export { EventSources } from "./sources.ts";
export { EventSourceStore } from "./store.ts";
