/**
 * Event-source operations behind the REST routes: validation (connection, subscribe input),
 * persistence, and keeping the runner's live subscriptions in step with the stored state.
 */
import type { z } from "zod";
import type { Clock, TimerId } from "../../../runtime/clock.ts";
import { NotFoundError, ValidationError } from "../../../runtime/errors.ts";
import { resolveName } from "../../../runtime/trn.ts";
import { parseInput } from "../connectors/shared/validate.ts";
import type { Engine } from "../engine.ts";
import { NAME_RE, parseConnectionRef } from "../service.ts";
import { connectionTrn, type OpenActStore } from "../store.ts";
import type { Connection, EventSource } from "../types.ts";
import type { SourceRunner } from "./runner.ts";
import { type EventSourceRow, type EventSourceStore, eventSourceTrn } from "./store.ts";

export const DEFAULT_DETAIL_TYPE = "Message Received";
/** How long create/enable wait for the first subscribe attempt before answering. */
const FIRST_ATTEMPT_WAIT_MS = 15_000;

export interface CreateEventSource {
  name: string;
  connection: string;
  input: Record<string, unknown>;
  detailType?: string;
  description?: string;
  enabled?: boolean;
}

export interface EventSourcesDeps {
  store: EventSourceStore;
  connections: OpenActStore;
  engine: Engine;
  runner: SourceRunner;
  clock: Clock;
}

export class EventSources {
  readonly store: EventSourceStore;
  readonly runner: SourceRunner;
  private connections: OpenActStore;
  private engine: Engine;
  private clock: Clock;

  constructor(deps: EventSourcesDeps) {
    ({ store: this.store, runner: this.runner, connections: this.connections, engine: this.engine } = deps);
    this.clock = deps.clock;
  }

  view(row: EventSourceRow): EventSource {
    const state = this.runner.state(row.tenant, row.name);
    return {
      name: row.name,
      trn: eventSourceTrn(row.tenant, row.name),
      connection: row.connection,
      connectionTrn: connectionTrn(row.tenant, row.kind, row.connection),
      kind: row.kind,
      input: row.input,
      detailType: row.detailType,
      description: row.description,
      enabled: row.enabled,
      ...state,
      status: row.enabled ? state.status : "stopped",
      version: row.version,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  /** A name or `trn:openact:{tenant}:event-source/NAME`; another tenant's reads as not found. */
  row(tenant: string, ref: string): EventSourceRow {
    if (!ref.startsWith("trn:")) return this.store.get(tenant, ref);
    const trn = resolveName(ref, { service: "openact", type: "event-source", tenant, qualifiers: false });
    if (trn.foreignTenant || trn.path.includes("/")) throw new NotFoundError("event source", ref);
    return this.store.get(tenant, trn.path);
  }

  /** `NAME`, `KIND/NAME` or a connection TRN → the connection; problems are 400s on /connection. */
  #connection(tenant: string, ref: string): Connection {
    const invalid = (message: string) => new ValidationError([{ path: "/connection", message }]);
    let name = ref;
    let kind: string | undefined;
    if (ref.startsWith("trn:")) {
      try {
        name = parseConnectionRef(ref, tenant);
      } catch (err) {
        if (err instanceof NotFoundError) {
          throw invalid(`connection '${ref}' does not exist in tenant '${tenant}'`);
        }
        throw invalid((err as Error).message);
      }
      kind = ref.split(":")[3].split("/")[1];
    } else if (ref.includes("/")) {
      const slash = ref.indexOf("/");
      kind = ref.slice(0, slash);
      name = ref.slice(slash + 1);
    }
    const found = this.connections.findConnection(tenant, name);
    if (!found) {
      throw invalid(
        `connection '${ref}' does not exist: create it first (aio act conn create ${name} --kind …)`,
      );
    }
    if (kind !== undefined && kind !== found.kind) {
      throw invalid(`connection '${name}' is a ${found.kind} connection, not ${kind}`);
    }
    return found;
  }

  async create(tenant: string, body: CreateEventSource): Promise<EventSource> {
    if (!NAME_RE.test(body.name)) {
      throw new ValidationError([{
        path: "/name",
        message: `'${body.name}' must match ${NAME_RE.source} (letters, digits, _ . -)`,
      }]);
    }
    const connection = this.#connection(tenant, body.connection);
    const connector = await this.engine.connector(connection.kind);
    const schema = (connector as { subscribeInput?: z.ZodType }).subscribeInput;
    if (!connector.subscribe || !schema) {
      throw new ValidationError([{
        path: "/connection",
        message:
          `a ${connection.kind} connection cannot be an event source: use a redis, rabbitmq, mqtt or nats connection`,
      }]);
    }
    const input = parseInput(schema, body.input, "/input") as Record<string, unknown>;
    const row = this.store.create(tenant, {
      name: body.name,
      connection: connection.name,
      kind: connection.kind,
      input,
      detailType: body.detailType ?? DEFAULT_DETAIL_TYPE,
      description: body.description ?? "",
      enabled: body.enabled ?? true,
    });
    if (row.enabled) await this.#firstAttempt(row);
    return this.view(row);
  }

  get(tenant: string, ref: string): EventSource {
    return this.view(this.row(tenant, ref));
  }

  list(
    tenant: string,
    options: { kind?: string; connection?: string; after?: string; limit: number },
  ): EventSource[] {
    return this.store.list(tenant, options).map((r) => this.view(r));
  }

  async setEnabled(tenant: string, ref: string, enabled: boolean): Promise<EventSource> {
    const current = this.row(tenant, ref);
    const row = this.store.setEnabled(tenant, current.name, enabled);
    if (enabled) {
      // enabling a source that is already live leaves it alone
      if (this.runner.state(tenant, row.name).status === "stopped") await this.#firstAttempt(row);
    } else await this.runner.halt(tenant, row.name);
    return this.view(row);
  }

  async delete(tenant: string, ref: string): Promise<EventSource> {
    const current = this.row(tenant, ref);
    await this.runner.halt(tenant, current.name, true);
    const gone = this.store.delete(tenant, current.name);
    return { ...this.view({ ...gone, enabled: false }), enabled: gone.enabled };
  }

  /** Starts every enabled source (server start); failures retry in the background. */
  startAll(): void {
    for (const row of this.store.allEnabled()) void this.runner.launch(row);
  }

  /** Re-subscribes the live sources of a connection after its settings or credential changed. */
  restartConnection(tenant: string, connection: string): Promise<void> {
    return this.runner.restartWhere((s) => s.tenant === tenant && s.connection === connection);
  }

  /** Re-subscribes the live sources whose connection uses a rotated credential. */
  restartCredential(credentialTrn: string): Promise<void> {
    return this.runner.restartWhere((s) =>
      this.connections.findConnection(s.tenant, s.connection)?.credential === credentialTrn
    );
  }

  async #firstAttempt(row: EventSourceRow) {
    let timer: TimerId | undefined;
    await Promise.race([
      this.runner.launch(row),
      new Promise<void>((resolve) => (timer = this.clock.setTimeout(resolve, FIRST_ATTEMPT_WAIT_MS))),
    ]).finally(() => this.clock.clearTimeout(timer));
  }
}
