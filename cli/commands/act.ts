/** `aio act`: connections, actions, execution (named or ad hoc), connectors and OAuth2 (AuthFlow). */
import type { Command } from "../framework/command.ts";
import { contextFor, parseJsonOption, readSource, seg } from "../context.ts";
import { CliError, EXIT } from "../errors.ts";
import type {
  Action,
  AuthStatus,
  Connection,
  ConnectorInfo,
  EventSource,
  ExecuteResult,
} from "../../services/openact/types.ts";

const connColumns = [
  { header: "name", value: (c: Connection) => c.name },
  { header: "kind", value: (c: Connection) => c.kind },
  { header: "credential", value: (c: Connection) => c.credential?.split("/").slice(1).join("/") ?? "-" },
  { header: "description", value: (c: Connection) => c.description },
  { header: "trn", value: (c: Connection) => c.trn, wide: true },
  { header: "updated", value: (c: Connection) => c.updatedAt, wide: true },
];

const actionColumns = [
  { header: "action", value: (a: Action) => `${a.kind}.${a.name}` },
  { header: "connection", value: (a: Action) => a.connection },
  { header: "operation", value: (a: Action) => a.operation },
  { header: "description", value: (a: Action) => a.description },
  { header: "trn", value: (a: Action) => a.trn, wide: true },
  { header: "updated", value: (a: Action) => a.updatedAt, wide: true },
];

async function jsonFrom(value: string | undefined, file: string | undefined, option: string) {
  if (file !== undefined) return parseJsonOption(await readSource(file), `${option}-file`);
  return parseJsonOption(value, option);
}

function positiveInt(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new CliError(`${option} must be a positive integer (got '${value}')`, EXIT.usage);
  }
  return n;
}

async function printResult(cmd: Command, result: ExecuteResult) {
  const ctx = contextFor(cmd);
  if (ctx.format() === "table" || ctx.format() === "wide") {
    console.log(JSON.stringify(result.output, null, 2));
  } else await ctx.print(result);
}

function registerConnections(act: Command) {
  const conn = act.command("conn").alias("connection").description("Manage connections");
  conn.command("create")
    .description("Create a connection; secrets go in CredVault and are referenced with --credential")
    .argument("<name>")
    .requiredOption("--kind <kind>", "connector kind: http, postgres, s3, ...")
    .option("--settings <json>", "connector settings as JSON")
    .option("--settings-file <path>", "read settings JSON from a file ('-' = stdin)")
    .option("--credential <name>", "CredVault credential name or TRN")
    .option("--description <text>")
    .action(async (name: string, o: Record<string, string | undefined>, cmd: Command) => {
      const ctx = contextFor(cmd);
      const settings = await jsonFrom(o.settings, o.settingsFile, "--settings");
      const created = await (await ctx.client()).request<Connection>("POST", "/api/v1/connections", {
        name,
        kind: o.kind,
        ...(settings !== undefined ? { settings } : {}),
        ...(o.credential ? { credential: o.credential } : {}),
        ...(o.description ? { description: o.description } : {}),
      });
      if (ctx.format() === "table") console.log(`created ${created.trn}`);
      else await ctx.print(created);
    });
  conn.command("update")
    .description("Update a connection's settings, credential or description")
    .argument("<name>")
    .option("--settings <json>")
    .option("--settings-file <path>")
    .option("--credential <name>", "CredVault credential name or TRN ('none' removes it)")
    .option("--description <text>")
    .action(async (name: string, o: Record<string, string | undefined>, cmd: Command) => {
      const ctx = contextFor(cmd);
      const settings = await jsonFrom(o.settings, o.settingsFile, "--settings");
      const body: Record<string, unknown> = {};
      if (settings !== undefined) body.settings = settings;
      if (o.credential !== undefined) body.credential = o.credential === "none" ? null : o.credential;
      if (o.description !== undefined) body.description = o.description;
      const updated = await (await ctx.client()).request<Connection>(
        "PUT",
        `/api/v1/connections/${seg(name)}`,
        body,
      );
      if (ctx.format() === "table") console.log(`updated ${updated.trn} (version ${updated.version})`);
      else await ctx.print(updated);
    });
  conn.command("list")
    .description("List connections")
    .option("--kind <kind>")
    .option("--limit <n>")
    .action(async (o: { kind?: string; limit?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ items: Connection[] }>(
        "GET",
        "/api/v1/connections",
        undefined,
        {
          query: { kind: o.kind, limit: positiveInt(o.limit, "--limit") },
        },
      );
      await ctx.print(ctx.format() === "json" || ctx.format() === "yaml" ? res : res.items, {
        rows: res.items,
        columns: connColumns,
      });
    });
  conn.command("get")
    .description("Show a connection (never the credential's value)")
    .argument("<name>", "name or TRN")
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      await ctx.print(await (await ctx.client()).request("GET", `/api/v1/connections/${seg(name)}`));
    });
  conn.command("delete")
    .description("Delete a connection")
    .argument("<name>", "name or TRN")
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const gone = await (await ctx.client()).request<Connection>(
        "DELETE",
        `/api/v1/connections/${seg(name)}`,
      );
      if (ctx.format() === "table") console.log(`deleted ${gone.trn}`);
      else await ctx.print(gone);
    });
  conn.command("test")
    .description("Check a connection live")
    .argument("<name>", "name or TRN")
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<
        { connection: string; ok: boolean; durationMs: number; details?: unknown; error?: string }
      >("POST", `/api/v1/connections/${seg(name)}/test`);
      if (ctx.format() === "table") {
        console.log(
          res.ok ? `ok: ${name} answered in ${res.durationMs} ms` : `FAILED: ${name}: ${res.error}`,
        );
        if (res.details) console.log(JSON.stringify(res.details, null, 2));
      } else await ctx.print(res);
      if (!res.ok) throw new CliError(`connection test failed`, EXIT.failure);
    });
}

function registerActions(act: Command) {
  const action = act.command("action").description("Manage actions (named operations on connections)");
  const define = (c: Command) =>
    c.requiredOption("--connection <name>", "connection name or TRN")
      .requiredOption("--operation <op>", "connector operation, e.g. request, query")
      .option("--parameters <json>", "fixed operation input")
      .option("--parameters-file <path>")
      .option("--input-schema <json>", "JSON Schema for the caller's input")
      .option("--input-schema-file <path>")
      .option("--description <text>")
      .option("--timeout <ms>", "timeout in milliseconds");
  const bodyOf = async (o: Record<string, string | undefined>) => {
    const parameters = await jsonFrom(o.parameters, o.parametersFile, "--parameters");
    const inputSchema = await jsonFrom(o.inputSchema, o.inputSchemaFile, "--input-schema");
    return {
      connection: o.connection,
      operation: o.operation,
      ...(parameters !== undefined ? { parameters } : {}),
      ...(inputSchema !== undefined ? { inputSchema } : {}),
      ...(o.description !== undefined ? { description: o.description } : {}),
      ...(o.timeout !== undefined ? { timeoutMs: positiveInt(o.timeout, "--timeout") } : {}),
    };
  };
  define(
    action.command("create").description("Create an action; its name is KIND.NAME once created").argument(
      "<name>",
    ),
  )
    .action(async (name: string, o: Record<string, string | undefined>, cmd: Command) => {
      const ctx = contextFor(cmd);
      const created = await (await ctx.client()).request<Action>("POST", "/api/v1/actions", {
        name,
        ...await bodyOf(o),
      });
      if (ctx.format() === "table") console.log(`created ${created.kind}.${created.name} (${created.trn})`);
      else await ctx.print(created);
    });
  define(
    action.command("update").description("Replace an action's definition").argument(
      "<action>",
      "KIND.NAME or TRN",
    ),
  )
    .action(async (ref: string, o: Record<string, string | undefined>, cmd: Command) => {
      const ctx = contextFor(cmd);
      const updated = await (await ctx.client()).request<Action>(
        "PUT",
        `/api/v1/actions/${seg(ref)}`,
        await bodyOf(o),
      );
      if (ctx.format() === "table") {
        console.log(`updated ${updated.kind}.${updated.name} (version ${updated.version})`);
      } else await ctx.print(updated);
    });
  action.command("list")
    .description("List actions")
    .option("--kind <kind>")
    .option("--connection <name>")
    .option("--limit <n>")
    .action(async (o: { kind?: string; connection?: string; limit?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ items: Action[] }>(
        "GET",
        "/api/v1/actions",
        undefined,
        {
          query: { kind: o.kind, connection: o.connection, limit: positiveInt(o.limit, "--limit") },
        },
      );
      await ctx.print(ctx.format() === "json" || ctx.format() === "yaml" ? res : res.items, {
        rows: res.items,
        columns: actionColumns,
      });
    });
  action.command("get")
    .description("Show an action")
    .argument("<action>", "KIND.NAME or TRN")
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      await ctx.print(await (await ctx.client()).request("GET", `/api/v1/actions/${seg(ref)}`));
    });
  action.command("delete")
    .description("Delete an action")
    .argument("<action>", "KIND.NAME or TRN")
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const gone = await (await ctx.client()).request<Action>("DELETE", `/api/v1/actions/${seg(ref)}`);
      if (ctx.format() === "table") console.log(`deleted ${gone.kind}.${gone.name}`);
      else await ctx.print(gone);
    });
}

const sourceColumns = [
  { header: "name", value: (s: EventSource) => s.name },
  { header: "connection", value: (s: EventSource) => `${s.kind}/${s.connection}` },
  { header: "enabled", value: (s: EventSource) => (s.enabled ? "yes" : "no") },
  { header: "status", value: (s: EventSource) => s.status },
  { header: "messages", value: (s: EventSource) => String(s.messageCount) },
  { header: "last error", value: (s: EventSource) => s.lastError ?? "-" },
  { header: "input", value: (s: EventSource) => JSON.stringify(s.input), wide: true },
  { header: "detail-type", value: (s: EventSource) => s.detailType, wide: true },
  { header: "trn", value: (s: EventSource) => s.trn, wide: true },
];

function registerSources(act: Command) {
  const source = act.command("source").alias("sources")
    .description("Event sources: Redis/RabbitMQ/MQTT/NATS subscriptions whose messages feed Igniter rules");
  const summary = (s: EventSource) =>
    `${s.name}: ${s.enabled ? "enabled" : "disabled"}, ${s.status}` +
    (s.lastError ? ` (last error: ${s.lastError})` : "");
  source.command("create")
    .description(
      'Subscribe on a connection; messages become events {source: "aionix.openact", detail: {eventSource, kind, subject, data}}',
    )
    .argument("<name>")
    .requiredOption("--connection <ref>", "connection NAME, KIND/NAME (e.g. redis/my-redis) or TRN")
    .option(
      "--input <json>",
      'what to subscribe to: redis {"channels":[…]} or {"patterns":[…]}, or {"stream":{"key":"…"}} to ack ' +
        'after storing; rabbitmq {"queue":"…"}; ' +
        'mqtt {"topic":"…"}, add "session":{"clientId":"…"} to ack after storing; nats {"subject":"…"}, ' +
        'add "jetstream":{"stream":"…","durable":"…"} to ack after storing',
    )
    .option("--input-file <path>", "read the input JSON from a file ('-' = stdin)")
    .option("--detail-type <text>", 'event detail-type (default "Message Received")')
    .option("--description <text>")
    .option("--disabled", "create it without subscribing")
    .action(async (name: string, o: Record<string, string | boolean | undefined>, cmd: Command) => {
      const ctx = contextFor(cmd);
      const input = await jsonFrom(
        o.input as string | undefined,
        o.inputFile as string | undefined,
        "--input",
      );
      if (input === undefined) throw new CliError("give --input (or --input-file)", EXIT.usage);
      const created = await (await ctx.client()).request<EventSource>("POST", "/api/v1/event-sources", {
        name,
        connection: o.connection,
        input,
        ...(o.detailType ? { detailType: o.detailType } : {}),
        ...(o.description ? { description: o.description } : {}),
        ...(o.disabled ? { enabled: false } : {}),
      });
      if (ctx.format() === "table") console.log(`created ${created.trn} (${summary(created)})`);
      else await ctx.print(created);
    });
  source.command("list")
    .description("List event sources with their status and message counts")
    .option("--kind <kind>")
    .option("--connection <name>")
    .option("--limit <n>")
    .action(async (o: { kind?: string; connection?: string; limit?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ items: EventSource[] }>(
        "GET",
        "/api/v1/event-sources",
        undefined,
        { query: { kind: o.kind, connection: o.connection, limit: positiveInt(o.limit, "--limit") } },
      );
      await ctx.print(ctx.format() === "json" || ctx.format() === "yaml" ? res : res.items, {
        rows: res.items,
        columns: sourceColumns,
      });
    });
  source.command("get")
    .description("Show an event source: status, lastError, messageCount")
    .argument("<name>", "name or TRN")
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      await ctx.print(await (await ctx.client()).request("GET", `/api/v1/event-sources/${seg(name)}`));
    });
  source.command("delete")
    .description("Unsubscribe and delete an event source")
    .argument("<name>", "name or TRN")
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const gone = await (await ctx.client()).request<EventSource>(
        "DELETE",
        `/api/v1/event-sources/${seg(name)}`,
      );
      if (ctx.format() === "table") console.log(`deleted ${gone.trn}`);
      else await ctx.print(gone);
    });
  for (const verb of ["enable", "disable"] as const) {
    source.command(verb)
      .description(verb === "enable" ? "Subscribe again" : "Unsubscribe (kept, not deleted)")
      .argument("<name>", "name or TRN")
      .action(async (name: string, _o: unknown, cmd: Command) => {
        const ctx = contextFor(cmd);
        const s = await (await ctx.client()).request<EventSource>(
          "POST",
          `/api/v1/event-sources/${seg(name)}/${verb}`,
        );
        if (ctx.format() === "table") console.log(summary(s));
        else await ctx.print(s);
      });
  }
}

function registerAuth(act: Command) {
  const auth = act.command("auth").description("OAuth2 for http connections (AuthFlow)");
  const show = async (cmd: Command, status: AuthStatus) => {
    const ctx = contextFor(cmd);
    if (ctx.format() !== "table") return await ctx.print(status);
    await ctx.print({
      connection: status.connection,
      grant: status.grant,
      status: status.status,
      credential: status.credential,
      expiresAt: status.expiresAt,
      scope: status.scope,
      refreshToken: status.hasRefreshToken ? "stored" : "none",
      lastAuthorizedAt: status.lastAuthorizedAt,
      lastRefreshAt: status.lastRefreshAt,
      lastError: status.lastError,
    });
  };
  auth.command("start")
    .description(
      "Start authorization: prints the URL to open (authorization code) or fetches a token (client credentials)",
    )
    .argument("<connection>")
    .action(async (connection: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<
        { authorizeUrl?: string; expiresAt?: string; status?: AuthStatus }
      >(
        "POST",
        "/api/v1/authflow/start",
        { connection },
      );
      if (ctx.format() !== "table") return await ctx.print(res);
      if (res.authorizeUrl) {
        console.log(
          `Open this URL to authorize '${connection}' (valid until ${res.expiresAt}):\n  ${res.authorizeUrl}`,
        );
        console.log(`Then check with: aio act auth status ${connection}`);
      } else if (res.status) await show(cmd, res.status);
    });
  auth.command("status")
    .description("Show a connection's OAuth2 state (never the tokens)")
    .argument("<connection>")
    .action(async (connection: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      await show(
        cmd,
        await (await ctx.client()).request<AuthStatus>("GET", `/api/v1/authflow/status/${seg(connection)}`),
      );
    });
  auth.command("refresh")
    .description("Refresh the access token now")
    .argument("<connection>")
    .action(async (connection: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      await show(
        cmd,
        await (await ctx.client()).request<AuthStatus>("POST", "/api/v1/authflow/refresh", { connection }),
      );
    });
}

export function register(program: Command) {
  const act = program.command("act").description("OpenAct: connections, actions and connectors");
  act.command("execute")
    .alias("exec")
    .description("Execute an action (KIND.NAME), or ad hoc with --connection and --operation")
    .argument("[action]", "KIND.NAME or TRN, e.g. http.get-users")
    .option("--data <json>", "input as JSON", undefined)
    .option("--data-file <path>", "read input JSON from a file ('-' = stdin)")
    .option("--connection <name>", "ad hoc: the connection")
    .option("--operation <op>", "ad hoc: the connector operation")
    .option("--timeout <ms>", "timeout in milliseconds")
    .action(async (ref: string | undefined, o: Record<string, string | undefined>, cmd: Command) => {
      const ctx = contextFor(cmd);
      const input = await jsonFrom(o.data, o.dataFile, "--data");
      const timeoutMs = positiveInt(o.timeout, "--timeout");
      const client = await ctx.client();
      let result: ExecuteResult;
      if (ref) {
        if (o.connection || o.operation) {
          throw new CliError("give either an action or --connection/--operation, not both", EXIT.usage);
        }
        result = await client.request<ExecuteResult>("POST", `/api/v1/actions/${seg(ref)}/execute`, {
          ...(input !== undefined ? { input } : {}),
          ...(timeoutMs ? { timeoutMs } : {}),
        });
      } else {
        if (!o.connection || !o.operation) {
          throw new CliError("give an action (KIND.NAME) or both --connection and --operation", EXIT.usage);
        }
        result = await client.request<ExecuteResult>("POST", "/api/v1/openact/execute", {
          connection: o.connection,
          operation: o.operation,
          ...(input !== undefined ? { input } : {}),
          ...(timeoutMs ? { timeoutMs } : {}),
        });
      }
      await printResult(cmd, result);
    });
  act.command("connectors")
    .description("List connector kinds, or show one kind's settings and operations")
    .argument("[kind]")
    .action(async (kind: string | undefined, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const client = await ctx.client();
      if (kind) {
        return await ctx.print(await client.request<ConnectorInfo>("GET", `/api/v1/connectors/${seg(kind)}`));
      }
      const res = await client.request<{ items: ConnectorInfo[] }>("GET", "/api/v1/connectors");
      await ctx.print(ctx.format() === "json" || ctx.format() === "yaml" ? res : res.items, {
        rows: res.items,
        columns: [
          { header: "kind", value: (c: ConnectorInfo) => c.kind },
          { header: "in build", value: (c: ConnectorInfo) => (c.selected ? "yes" : "no") },
        ],
      });
    });
  registerConnections(act);
  registerActions(act);
  registerSources(act);
  registerAuth(act);
}
