/** Igniter's public shapes (the CLI and Studio may `import type` these). */
export type TriggerType = "schedule" | "webhook" | "event";

export interface ScheduleConfig {
  /** 5-field (minute first) or 6-field (seconds first) cron, or `cron(...)`. */
  cron?: string;
  /** `rate(5 minutes)` or `5 minutes`. */
  rate?: string;
  /** One-time: `at(2026-12-01T09:00:00)` or the bare ISO time (wall time in `timezone`). */
  at?: string;
  /** Any of the three forms above. */
  expression?: string;
  /** IANA time zone for cron, at, startAt and endAt (default UTC). */
  timezone?: string;
  startAt?: string;
  endAt?: string;
  /** Random delay of up to N minutes after each fire time. */
  flexibleWindowMinutes?: number;
  /** What happens to fire times missed while the server was down or the clock jumped. */
  missedFires?: "skip" | "catch-up";
  /** With catch-up: only fire times this recent are caught up. */
  catchUpWindowSeconds?: number;
  /** With catch-up: at most this many (the most recent) are fired. */
  catchUpMaxFires?: number;
  /** `skip`: a fire is skipped while the previous run is still running. */
  overlap?: "allow" | "skip";
}

export interface WebhookConfig {
  signature?: {
    style: "github" | "stripe";
    /** CredVault credential names or TRNs; every stage (current/previous/pending) is accepted. */
    secrets: string[];
    /** Stripe style: maximum age of the signed timestamp (default 300). */
    toleranceSeconds?: number;
  };
  /** A static `Authorization: Bearer …` token held in CredVault. */
  bearer?: { secret: string };
  /** Header carrying a delivery id for de-duplication (default by style, else X-Delivery-Id). */
  deliveryIdHeader?: string;
  dedupWindowSeconds?: number;
  /** async: 202 with the execution id; sync: waits and returns the target's result. */
  mode?: "async" | "sync";
  timeoutSeconds?: number;
  /** Must be set to accept requests with neither a signature nor a bearer check. */
  allowUnauthenticated?: boolean;
}

export interface EventConfig {
  pattern: Record<string, unknown>;
  eventBus?: string;
}

export type TriggerConfig = ScheduleConfig | WebhookConfig | EventConfig;

export interface RetryPolicy {
  maxAttempts: number;
  maxEventAgeSeconds: number;
  intervalSeconds: number;
  backoffRate: number;
}

export type DeadLetter = { target: string } | { eventBus: string };

/** How the target is started. `kind` applies to workflow targets: express runs keep no history. */
export interface TargetOptions {
  kind?: "durable" | "express";
}

export interface Trigger {
  name: string;
  trn: string;
  type: TriggerType;
  target: string | null;
  /** Present when set, e.g. `{ "kind": "express" }`. */
  targetOptions?: TargetOptions;
  config: TriggerConfig;
  inputTransform?: unknown;
  description: string;
  enabled: boolean;
  retryPolicy: RetryPolicy;
  deadLetter: DeadLetter | null;
  /** Webhook triggers: the path to POST to. */
  webhookPath?: string;
  /** Schedule triggers: the next fire time, when enabled. */
  nextFireAt?: string | null;
  lastFireAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type FiringSource = "schedule" | "webhook" | "event" | "dead-letter";
export type FiringStatus =
  | "pending"
  | "retrying"
  | "dispatched"
  | "succeeded"
  | "failed"
  | "timed_out"
  | "dead_lettered"
  | "skipped";

export interface Firing {
  id: string;
  trigger: string;
  source: FiringSource;
  status: FiringStatus;
  reason?: string;
  target: string;
  attempts: number;
  scheduledAt?: string;
  acceptedAt: string;
  dispatchedAt?: string;
  finishedAt?: string;
  nextAttemptAt?: string;
  executionId?: string;
  runStatus?: string;
  error?: string;
  eventId?: string;
  deliveryId?: string;
}

/** An event as stored and matched: the EventBridge envelope. */
export interface EventEnvelope {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/** An event as listed by `GET /api/v1/events` (matched or not). */
export interface StoredEvent {
  id: string;
  eventBus: string;
  source: string;
  detailType: string;
  time: string;
  receivedAt: string;
  /** How many rules it matched when it arrived. */
  matchedRules: number;
  resources: string[];
  detail: unknown;
}

export interface PutEventsResult {
  failedEntryCount: number;
  entries: Array<{ eventId: string; matchedRules: number }>;
}
