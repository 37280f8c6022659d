/**
 * The contract every OpenAct connector implements. A connector module is imported lazily
 * (dynamic `import()`) the first time a connection of its kind is used, so its driver never
 * loads at start-up. Connectors keep pooled clients per connection and close them on close().
 */
import type { z } from "zod";

/** A connection as the connector sees it: settings plus the decrypted credential (never logged). */
export interface ResolvedConnection {
  /** `trn:openact:{tenant}:connection/{kind}/{name}` */
  trn: string;
  tenant: string;
  kind: string;
  name: string;
  /** Validated against the connector's settingsSchema. */
  settings: Record<string, unknown>;
  /**
   * The referenced CredVault credential's value (e.g. a password string, an api key, or a
   * JSON object for `generic`/`oauth_token`), or undefined when the connection has none.
   */
  credential?: unknown;
  /** Bumps when settings or credential change, so pools can be rebuilt. */
  revision: string;
}

export interface OperationSpec {
  description: string;
  /** zod schema for the operation's input; also exported as JSON Schema to MCP and Studio. */
  input: z.ZodType;
}

export interface ExecuteOptions {
  signal: AbortSignal;
  /** Milliseconds; the connector must give up (and abort driver work) by then. */
  timeoutMs: number;
}

export interface Connector {
  kind: string;
  description: string;
  /** zod schema of connection settings (host, port, database, url, ...). No secrets here. */
  settingsSchema: z.ZodType;
  operations: Record<string, OperationSpec>;
  /** Live check of a connection (connect + trivial round trip). Returns details for the user. */
  test(connection: ResolvedConnection, options: ExecuteOptions): Promise<Record<string, unknown>>;
  /** Runs one operation with validated input and returns a JSON-serialisable result. */
  execute(
    connection: ResolvedConnection,
    operation: string,
    input: unknown,
    options: ExecuteOptions,
  ): Promise<unknown>;
  /**
   * Optional: subscribe to a channel/topic/subject/queue as an event source for Igniter.
   * Calls onMessage for each message until the returned function is called.
   */
  subscribe?(
    connection: ResolvedConnection,
    input: Record<string, unknown>,
    /** May return a promise: acknowledging connectors (subscribeAcks) wait for it. */
    onMessage: (message: { subject: string; data: unknown; raw?: string }) => unknown,
    hooks?: SubscribeHooks,
  ): Promise<() => Promise<void>>;
  /**
   * True when subscribe() acknowledges a message to the broker only after the promise onMessage
   * returned has resolved, and returns it to the broker when it rejects (RabbitMQ). Other kinds
   * ignore the promise: their brokers have no per-message acknowledgement the handler can hold.
   * A rejection carrying `requeue: true` (the failure was the handler's, not the message's) is
   * always requeued; any other rejection is requeued once, then dropped or dead-lettered.
   * A function decides per subscription input (NATS: only JetStream consumers acknowledge).
   */
  subscribeAcks?: boolean | ((input: Record<string, unknown>) => boolean);
  /** Drops pooled clients of one connection (settings changed) or of all (shutdown). */
  close(trn?: string): Promise<void>;
}

/** Connection state of a live subscription, after subscribe() resolved. */
export interface SubscribeHooks {
  /**
   * `reconnecting`: the driver lost the broker and retries by itself (error = why);
   * `connected`: it is back and resubscribed; `closed`: it gave up for good and the caller
   * must subscribe again.
   */
  onStatus?(status: "connected" | "reconnecting" | "closed", error?: unknown): void;
}
