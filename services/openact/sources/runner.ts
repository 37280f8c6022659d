/**
 * Keeps one live subscription per enabled event source and turns each message into an
 * `aionix.openact` system event. A failed connect/subscribe is retried with capped backoff; a
 * broker loss after that is retried by the driver itself (the hooks report it); a driver that
 * gives up is re-subscribed here. Errors are recorded and logged with credentials redacted.
 *
 * Delivery: publishAndWait() resolves once Igniter (a durable listener) has stored the matched
 * firings. For connectors that acknowledge (RabbitMQ) the message is acked only after that; a
 * failed store is retried a few times, then the message is returned to the broker.
 */
import type { Clock, TimerId } from "../../../runtime/clock.ts";
import type { SystemEvents } from "../../../runtime/events.ts";
import type { Logger } from "../../../runtime/log.ts";
import { type Engine, redact } from "../engine.ts";
import type { Connection, EventSourceStatus } from "../types.ts";
import { type EventSourceRow, eventSourceTrn } from "./store.ts";

export const EVENT_SOURCE = "aionix.openact";
/** Backoff of re-subscription attempts: 1 s, 2 s, 4 s … capped. */
export const MAX_RETRY_DELAY_MS = 30_000;
/** Waits between attempts to store one acknowledged message before it goes back to the broker. */
const STORE_RETRY_MS = [200, 1000, 3000];

export interface RuntimeState {
  status: EventSourceStatus;
  lastError: string | null;
  lastErrorAt: string | null;
  messageCount: number;
  lastMessageAt: string | null;
  connectedAt: string | null;
}

interface Live {
  status: EventSourceStatus;
  lastError: string | null;
  lastErrorAt: string | null;
  connectedAt: string | null;
  source: EventSourceRow;
  /** Bumps on every attempt; hooks and messages of older attempts are ignored. */
  gen: number;
  cancelled: boolean;
  failures: number;
  credential?: unknown;
  stop?: () => Promise<void>;
  timer?: TimerId;
}

export interface RunnerDeps {
  engine: Engine;
  events: SystemEvents;
  logger: Logger;
  clock: Clock;
  /** The connection a source subscribes on (undefined once deleted). */
  connection(tenant: string, name: string): Connection | undefined;
}

const key = (tenant: string, name: string) => `${tenant}\u0000${name}`;
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err ?? "unknown error"));

export class SourceRunner {
  #live = new Map<string, Live>();
  /** Counters survive restarts of a source (disable/enable, connection changes) within this process. */
  #counts = new Map<string, { messageCount: number; lastMessageAt: string | null }>();

  constructor(private deps: RunnerDeps) {}

  #iso() {
    return new Date(this.deps.clock.now()).toISOString();
  }

  state(tenant: string, name: string): RuntimeState {
    const live = this.#live.get(key(tenant, name));
    const counts = this.#counts.get(key(tenant, name));
    return {
      status: live?.status ?? "stopped",
      lastError: live?.lastError ?? null,
      lastErrorAt: live?.lastErrorAt ?? null,
      messageCount: counts?.messageCount ?? 0,
      lastMessageAt: counts?.lastMessageAt ?? null,
      connectedAt: live?.status === "running" || live?.status === "reconnecting" ? live.connectedAt : null,
    };
  }

  /**
   * (Re)starts a source; resolves after its first attempt (subscribed or failed, then retrying),
   * so callers can report the outcome.
   */
  async launch(source: EventSourceRow): Promise<void> {
    await this.halt(source.tenant, source.name);
    const live: Live = {
      source,
      gen: 0,
      cancelled: false,
      failures: 0,
      status: "starting",
      lastError: null,
      lastErrorAt: null,
      connectedAt: null,
    };
    this.#live.set(key(source.tenant, source.name), live);
    await this.#attempt(live);
  }

  /** Stops a source's subscription; `forget` also drops its counters (deleted). */
  async halt(tenant: string, name: string, forget = false): Promise<void> {
    const k = key(tenant, name);
    const live = this.#live.get(k);
    if (forget) this.#counts.delete(k);
    if (!live) return;
    this.#live.delete(k);
    live.cancelled = true;
    if (live.timer !== undefined) this.deps.clock.clearTimeout(live.timer);
    const stop = live.stop;
    live.stop = undefined;
    await stop?.().catch((err) =>
      this.deps.logger.warn("openact: stopping an event source failed", {
        source: eventSourceTrn(tenant, name),
        error: redact(messageOf(err), live.credential),
      })
    );
  }

  /** Restarts the running sources that match (their connection or its credential changed). */
  async restartWhere(match: (source: EventSourceRow) => boolean): Promise<void> {
    const hits = [...this.#live.values()].filter((l) => match(l.source)).map((l) => l.source);
    await Promise.all(hits.map((s) => this.launch(s)));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#live.values()].map((l) => this.halt(l.source.tenant, l.source.name)));
  }

  async #attempt(live: Live): Promise<void> {
    if (live.cancelled) return;
    const gen = ++live.gen;
    const { source } = live;
    const current = () => !live.cancelled && live.gen === gen;
    try {
      const connection = this.deps.connection(source.tenant, source.connection);
      if (!connection) throw new Error(`connection '${source.connection}' no longer exists`);
      const connector = await this.deps.engine.connector(connection.kind);
      if (!connector.subscribe) throw new Error(`${connection.kind} connections cannot be event sources`);
      const resolved = await this.deps.engine.resolve(source.tenant, connection, undefined, true);
      live.credential = resolved.credential;
      const acks = typeof connector.subscribeAcks === "function"
        ? connector.subscribeAcks(source.input)
        : connector.subscribeAcks === true;
      const stop = await connector.subscribe(
        resolved,
        source.input,
        (m) => this.#deliver(live, gen, connection, acks, m),
        { onStatus: (status, err) => current() && this.#onStatus(live, status, err) },
      );
      if (!current()) {
        await stop().catch(() => {});
        return;
      }
      live.stop = stop;
      live.status = "running";
      live.failures = 0;
      live.connectedAt = this.#iso();
      this.deps.logger.info("openact: event source subscribed", {
        source: eventSourceTrn(source.tenant, source.name),
        connection: connection.trn,
      });
    } catch (err) {
      if (current()) this.#retryLater(live, err);
    }
  }

  #record(live: Live, err: unknown): string {
    const message = redact(messageOf(err), live.credential);
    live.lastError = message;
    live.lastErrorAt = this.#iso();
    return message;
  }

  #retryLater(live: Live, err: unknown) {
    const message = this.#record(live, err);
    live.status = "error";
    live.connectedAt = null;
    live.failures++;
    const delay = Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** Math.min(live.failures - 1, 10));
    this.deps.logger.warn("openact: event source cannot subscribe; retrying", {
      source: eventSourceTrn(live.source.tenant, live.source.name),
      error: message,
      retryInMs: delay,
    });
    live.timer = this.deps.clock.setTimeout(() => {
      live.timer = undefined;
      void this.#attempt(live);
    }, delay);
  }

  #onStatus(live: Live, status: "connected" | "reconnecting" | "closed", err?: unknown) {
    const trn = eventSourceTrn(live.source.tenant, live.source.name);
    if (status === "connected") {
      if (live.stop && live.status !== "running") {
        live.status = "running";
        this.deps.logger.info("openact: event source reconnected", { source: trn });
      }
    } else if (status === "reconnecting") {
      if (live.status === "running") {
        live.status = "reconnecting";
        const message = err === undefined ? "lost the broker" : this.#record(live, err);
        this.deps.logger.warn("openact: event source lost its broker; the driver reconnects", {
          source: trn,
          error: message,
        });
      }
    } else {
      // the driver gave up: drop this subscription and subscribe again with backoff
      const stop = live.stop;
      live.stop = undefined;
      live.gen++;
      void stop?.().catch(() => {});
      this.#retryLater(live, err ?? new Error("the subscription ended"));
    }
  }

  #deliver(
    live: Live,
    gen: number,
    connection: Connection,
    acks: boolean,
    m: { subject: string; data: unknown; retained?: boolean },
  ): Promise<void> | undefined {
    const { source } = live;
    if (live.cancelled || live.gen !== gen) {
      // a stopped subscription's late message: hand it back rather than lose it
      return acks ? Promise.reject(requeue("the event source is stopping")) : undefined;
    }
    const k = key(source.tenant, source.name);
    const counts = this.#counts.get(k) ?? { messageCount: 0, lastMessageAt: null };
    counts.messageCount++;
    counts.lastMessageAt = this.#iso();
    this.#counts.set(k, counts);
    const trn = eventSourceTrn(source.tenant, source.name);
    const stored = this.#store(live, acks, {
      tenant: source.tenant,
      source: EVENT_SOURCE,
      detailType: source.detailType,
      detail: {
        eventSource: source.name,
        connection: source.connection,
        kind: connection.kind,
        subject: m.subject,
        data: m.data,
        // MQTT retained messages come again on every (re)subscribe; rules can skip them
        ...(m.retained ? { retained: true } : {}),
      },
      resources: [trn, connection.trn],
    });
    if (acks) return stored;
    stored.catch(() => {}); // recorded in #store; nothing to hand back for this kind
    return undefined;
  }

  async #store(live: Live, acks: boolean, event: Parameters<SystemEvents["publishAndWait"]>[0]) {
    for (let attempt = 0;; attempt++) {
      try {
        const stored = await this.deps.events.publishAndWait(event);
        if (stored === 0 && acks) {
          throw new Error("no durable consumer of system events (Igniter) is running in this server");
        }
        return;
      } catch (err) {
        const message = this.#record(live, new Error(`storing a message failed: ${messageOf(err)}`));
        this.deps.logger.warn("openact: event source could not hand a message to Igniter", {
          source: eventSourceTrn(live.source.tenant, live.source.name),
          error: message,
          willRetry: acks && attempt < STORE_RETRY_MS.length && !live.cancelled,
        });
        if (!acks || live.cancelled || attempt >= STORE_RETRY_MS.length) throw requeue(message);
        await this.deps.clock.sleep(STORE_RETRY_MS[attempt]);
      }
    }
  }
}

/** The failure is ours, not the message's: an acknowledging connector requeues it unconditionally. */
function requeue(message: string): Error {
  return Object.assign(new Error(message), { requeue: true });
}
