/**
 * The event bus: accepts EventBridge envelopes, matches them against the enabled event
 * rules of the tenant's bus, and writes one firing per match in the same transaction, before
 * the caller is answered. Rules are compiled once per version and indexed by their exact
 * `source` values (else by exact `detail-type` values), so an event is tested only against
 * the rules that can match it plus the few with neither.
 */
import type { Clock } from "../../runtime/clock.ts";
import { newId } from "../../runtime/ids.ts";
import type { Logger } from "../../runtime/log.ts";
import type { Db } from "../../runtime/storage/mod.ts";
import type { EventLog } from "./event_log.ts";
import type { IgniterMetrics } from "./metrics.ts";
import { compilePattern, type EventMatcher } from "./pattern.ts";
import {
  firingId,
  type FiringRow,
  type IgniterStore,
  type NewFiring,
  newFiringRow,
  type TriggerRow,
} from "./store.ts";
import type { EventConfig, EventEnvelope, PutEventsResult } from "./types.ts";

export const DEFAULT_BUS = "default";
/** Retention is enforced after this many logged events (and on a timer). */
const PRUNE_EVERY = 1000;

export interface EventEntry {
  source: string;
  "detail-type"?: string;
  detailType?: string;
  detail?: unknown;
  time?: string;
  id?: string;
  resources?: string[];
  eventBus?: string;
}

interface Rule {
  name: string;
  target: string;
  matcher: EventMatcher;
}

interface BusRules {
  bySource: Map<string, Rule[]>;
  byDetailType: Map<string, Rule[]>;
  generic: Rule[];
}

/** The pattern's exact string values for a top-level field, when that is all it lists. */
function exactValues(pattern: Record<string, unknown>, field: string): string[] | undefined {
  const values = pattern[field];
  if (!Array.isArray(values) || !values.length || !values.every((v) => typeof v === "string")) {
    return undefined;
  }
  return [...new Set(values as string[])];
}

function addTo(index: Map<string, Rule[]>, keys: string[], rule: Rule): void {
  for (const k of keys) {
    const list = index.get(k);
    if (list) list.push(rule);
    else index.set(k, [rule]);
  }
}

function removeFrom(index: Map<string, Rule[]>, name: string): void {
  for (const [k, list] of index) {
    const kept = list.filter((r) => r.name !== name);
    if (kept.length) index.set(k, kept);
    else index.delete(k);
  }
}

const key = (tenant: string, bus: string) => `${tenant}\u0000${bus}`;

export class EventBus {
  #buses = new Map<string, BusRules>();
  #ruleBus = new Map<string, string>();
  #sincePrune = 0;

  constructor(
    private deps: {
      db: Db;
      store: IgniterStore;
      log: EventLog;
      clock: Clock;
      logger: Logger;
      metrics: IgniterMetrics;
    },
  ) {}

  /** Adds, replaces or (when disabled / not an event rule / no target) removes a rule. */
  setRule(trigger: TriggerRow): void {
    this.removeRule(trigger.tenant, trigger.name);
    if (trigger.type !== "event" || !trigger.enabled || !trigger.target) return;
    const config = trigger.config as EventConfig;
    const busName = config.eventBus ?? DEFAULT_BUS;
    const rule: Rule = {
      name: trigger.name,
      target: trigger.target,
      matcher: compilePattern(config.pattern),
    };
    const k = key(trigger.tenant, busName);
    let bus = this.#buses.get(k);
    if (!bus) this.#buses.set(k, bus = { bySource: new Map(), byDetailType: new Map(), generic: [] });
    const sources = exactValues(config.pattern, "source");
    const detailTypes = sources ? undefined : exactValues(config.pattern, "detail-type");
    if (sources) addTo(bus.bySource, sources, rule);
    else if (detailTypes) addTo(bus.byDetailType, detailTypes, rule);
    else bus.generic.push(rule);
    this.#ruleBus.set(key(trigger.tenant, trigger.name), k);
  }

  removeRule(tenant: string, name: string): void {
    const k = this.#ruleBus.get(key(tenant, name));
    if (!k) return;
    this.#ruleBus.delete(key(tenant, name));
    const bus = this.#buses.get(k)!;
    bus.generic = bus.generic.filter((r) => r.name !== name);
    removeFrom(bus.bySource, name);
    removeFrom(bus.byDetailType, name);
  }

  ruleCount(): number {
    return this.#ruleBus.size;
  }

  envelope(tenant: string, entry: EventEntry, now: number): EventEnvelope {
    return {
      version: "0",
      id: entry.id ?? newId(now),
      "detail-type": entry["detail-type"] ?? entry.detailType ?? "",
      source: entry.source,
      account: tenant,
      time: entry.time ? new Date(entry.time).toISOString() : new Date(now).toISOString(),
      region: "local",
      resources: entry.resources ?? [],
      detail: entry.detail ?? {},
    };
  }

  #match(tenant: string, bus: string, event: EventEnvelope): Rule[] {
    const rules = this.#buses.get(key(tenant, bus));
    if (!rules) return [];
    const out: Rule[] = [];
    const bySource = rules.bySource.get(event.source);
    if (bySource) { for (const r of bySource) if (r.matcher(event)) out.push(r); }
    const byType = rules.byDetailType.get(event["detail-type"]);
    if (byType) { for (const r of byType) if (r.matcher(event)) out.push(r); }
    for (const r of rules.generic) if (r.matcher(event)) out.push(r);
    return out;
  }

  /** Matches and writes firings; must run inside a transaction. Returns the new firings. */
  ingestInTransaction(tenant: string, entries: EventEntry[], result?: PutEventsResult): FiringRow[] {
    const { store, log, clock, metrics } = this.deps;
    const now = clock.now();
    const rows: FiringRow[] = [];
    for (const entry of entries) {
      const event = this.envelope(tenant, entry, now);
      const bus = entry.eventBus ?? DEFAULT_BUS;
      const matched = this.#match(tenant, bus, event);
      // Serialised once for the event log and every firing of the event.
      const json = matched.length || log.enabled ? JSON.stringify(event) : "";
      let count = 0;
      for (const rule of matched) {
        const firing: NewFiring = {
          id: firingId(now),
          tenant,
          trigger: rule.name,
          source: "event",
          dedupKey: `evt:${event.id}`,
          target: rule.target,
          payload: event,
          status: "pending",
          nextAttemptAt: now,
          scheduledAt: null,
          createdAt: now,
          eventId: event.id,
          deliveryId: null,
        };
        if (!store.insertFiring(firing, json)) continue;
        count++;
        rows.push(newFiringRow(firing));
      }
      if (log.enabled) {
        log.insert(firingId(now), tenant, bus, event, json, { receivedAt: now, matched: count });
        this.#sincePrune++;
      }
      metrics.events.inc();
      if (count) metrics.matches.inc(count);
      result?.entries.push({ eventId: event.id, matchedRules: count });
    }
    if (rows.length) metrics.fires.inc({ type: "event" }, rows.length);
    return rows;
  }

  /** Accepts a batch durably; the caller submits the returned firings to the dispatcher. */
  put(tenant: string, entries: EventEntry[]): { result: PutEventsResult; rows: FiringRow[] } {
    const result: PutEventsResult = { failedEntryCount: 0, entries: [] };
    const rows = this.deps.db.transaction(() => this.ingestInTransaction(tenant, entries, result));
    if (this.#sincePrune >= PRUNE_EVERY) this.prune(false);
    return { result, rows };
  }

  /** Applies the event log's retention (by count; by age too when asked); a failure is only logged. */
  prune(byAge: boolean): number {
    this.#sincePrune = 0;
    try {
      return this.deps.db.transaction(() => this.deps.log.prune(this.deps.clock.now(), byAge));
    } catch (err) {
      this.deps.logger.error("igniter: pruning the event log failed", { err });
      return 0;
    }
  }
}
