/** OpenAct's public shapes (the CLI and Studio `import type` these). */

export interface Connection {
  name: string;
  /** `trn:openact:{tenant}:connection/{kind}/{name}` */
  trn: string;
  kind: string;
  description: string;
  settings: Record<string, unknown>;
  /** TRN of the referenced CredVault credential, or null. Values are never returned. */
  credential: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface Action {
  name: string;
  /** `trn:openact:{tenant}:action/{kind}/{name}` */
  trn: string;
  kind: string;
  /** Name of the connection the action runs on. */
  connection: string;
  operation: string;
  /** Fixed operation input; the caller's input is deep-merged over it. */
  parameters: Record<string, unknown>;
  /** JSON Schema the caller's input must satisfy (null = any object). */
  inputSchema: Record<string, unknown> | null;
  description: string;
  timeoutMs: number | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface ExecuteResult {
  /** The action TRN, or the connection TRN for ad hoc executions. */
  trn: string;
  operation: string;
  output: unknown;
  durationMs: number;
}

export interface ConnectorInfo {
  kind: string;
  /** False when connectors.toml leaves it out of this build. */
  selected: boolean;
  description?: string;
  operations?: Record<string, { description: string; input: Record<string, unknown> }>;
  settings?: Record<string, unknown>;
}

export interface AuthStatus {
  connection: string;
  grant: string;
  /** none: never authorized; pending: waiting for the callback; authorized; expired; error */
  status: "none" | "pending" | "authorized" | "expired" | "error";
  credential: string | null;
  expiresAt: string | null;
  scope: string | null;
  hasRefreshToken: boolean;
  lastAuthorizedAt: string | null;
  lastRefreshAt: string | null;
  lastError: string | null;
}

/** A live subscription's state; `stopped` while disabled. */
export type EventSourceStatus = "stopped" | "starting" | "running" | "reconnecting" | "error";

/**
 * An event source: a subscription on a connection (Redis channel/pattern, RabbitMQ queue, MQTT
 * topic filter, NATS subject) whose messages become `aionix.openact` system events for Igniter.
 */
export interface EventSource {
  name: string;
  /** `trn:openact:{tenant}:event-source/{name}` */
  trn: string;
  /** Name of the connection it subscribes on. */
  connection: string;
  connectionTrn: string;
  kind: string;
  /** The connector's subscribe input (channels/patterns, queue, topic(s), subject/queue group). */
  input: Record<string, unknown>;
  /** detail-type of the events it publishes. */
  detailType: string;
  description: string;
  enabled: boolean;
  status: EventSourceStatus;
  /** The latest failure (connect, subscribe, broker loss or delivery), credentials redacted. */
  lastError: string | null;
  lastErrorAt: string | null;
  /** Messages received since this server started. */
  messageCount: number;
  lastMessageAt: string | null;
  /** When the current subscription was established. */
  connectedAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}
