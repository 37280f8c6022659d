/** `aio tr`: triggers (schedule, webhook, event rule) — create, enable, history, preview, … */
import type { Command } from "../framework/command.ts";
import { contextFor, parseJsonOption, readSource, seg } from "../context.ts";
import { CliError, EXIT } from "../errors.ts";
import type { Firing, Trigger } from "../../services/igniter/types.ts";

const columns = [
  { header: "name", value: (t: Trigger) => t.name },
  { header: "type", value: (t: Trigger) => t.type },
  { header: "enabled", value: (t: Trigger) => (t.enabled ? "yes" : "no") },
  {
    header: "target",
    value: (t: Trigger) =>
      t.target && (t.targetOptions?.kind === "express" ? `${t.target} (express)` : t.target),
  },
  { header: "next fire", value: (t: Trigger) => t.nextFireAt ?? (t.webhookPath ? t.webhookPath : undefined) },
  { header: "last fire", value: (t: Trigger) => t.lastFireAt, wide: true },
  { header: "trn", value: (t: Trigger) => t.trn, wide: true },
  { header: "description", value: (t: Trigger) => t.description, wide: true },
];

const firingColumns = [
  { header: "id", value: (f: Firing) => f.id },
  { header: "source", value: (f: Firing) => f.source },
  { header: "time", value: (f: Firing) => f.scheduledAt ?? f.acceptedAt },
  { header: "status", value: (f: Firing) => f.status },
  { header: "execution", value: (f: Firing) => f.executionId },
  { header: "run", value: (f: Firing) => f.runStatus, wide: true },
  { header: "attempts", value: (f: Firing) => f.attempts, wide: true },
  { header: "detail", value: (f: Firing) => f.error ?? f.reason },
];

interface TriggerOpts {
  triggerType?: string;
  config?: string;
  configFile?: string;
  target?: string;
  targetKind?: string;
  inputTransform?: string;
  description?: string;
  retry?: string;
  deadLetter?: string;
  enable?: boolean;
}

async function body(opts: TriggerOpts) {
  const config = opts.configFile !== undefined
    ? parseJsonOption(await readSource(opts.configFile), "--config-file")
    : parseJsonOption(opts.config, "--config");
  const out: Record<string, unknown> = {};
  if (config !== undefined) out.config = config;
  if (opts.target !== undefined) out.target = opts.target;
  if (opts.targetKind !== undefined) {
    if (!["durable", "express", "none"].includes(opts.targetKind)) {
      throw new CliError(
        `--target-kind must be durable, express or none (got '${opts.targetKind}')`,
        EXIT.usage,
      );
    }
    out.targetOptions = opts.targetKind === "none" ? null : { kind: opts.targetKind };
  }
  if (opts.inputTransform !== undefined) {
    out.inputTransform = parseJsonOption(opts.inputTransform, "--input-transform");
  }
  if (opts.description !== undefined) out.description = opts.description;
  if (opts.retry !== undefined) out.retryPolicy = parseJsonOption(opts.retry, "--retry");
  if (opts.deadLetter !== undefined) {
    out.deadLetter = opts.deadLetter === "none" ? null : parseJsonOption(opts.deadLetter, "--dead-letter");
  }
  return out;
}

function withTriggerOptions(cmd: Command): Command {
  return cmd
    .option("--config <json>", 'type-specific config, e.g. \'{"cron": "0 0 * * *"}\'')
    .option("--config-file <path>", "read the config from a JSON file ('-' = stdin)")
    .option("--target <target>", "wf:NAME, fn:NAME[:alias] or a TRN")
    .option("--target-kind <kind>", "workflow targets: durable (default) | express | none (clear)")
    .option("--input-transform <json>", "JSON template; '{% expr %}' strings are JSONata over the payload")
    .option("--description <text>")
    .option("--retry <json>", 'retry policy, e.g. \'{"maxAttempts": 5, "maxEventAgeSeconds": 3600}\'')
    .option("--dead-letter <json>", '\'{"target": "wf:NAME"}\', \'{"eventBus": "default"}\' or none');
}

export function register(program: Command) {
  const tr = program.command("tr").alias("trigger").description(
    "Triggers: schedules, webhooks and event rules",
  );

  withTriggerOptions(
    tr.command("create")
      .description("Create a trigger (disabled until 'aio tr enable', unless --enable)")
      .argument("<name>")
      .requiredOption("--trigger-type <type>", "schedule | webhook | event"),
  )
    .option("--enable", "enable it right away (needs --target)")
    .action(async (name: string, opts: TriggerOpts, cmd: Command) => {
      const ctx = contextFor(cmd);
      if (!["schedule", "webhook", "event"].includes(opts.triggerType!)) {
        throw new CliError(
          `--trigger-type must be schedule, webhook or event (got '${opts.triggerType}')`,
          EXIT.usage,
        );
      }
      const t = await (await ctx.client()).request<Trigger>("POST", "/api/v1/triggers", {
        name,
        type: opts.triggerType,
        ...(await body(opts)),
        ...(opts.enable ? { enabled: true } : {}),
      });
      if (ctx.format() === "table") {
        console.log(`created ${t.type} trigger ${t.name} (${t.enabled ? "enabled" : "disabled"})`);
        if (t.webhookPath) console.log(`webhook: POST ${t.webhookPath}`);
        if (t.nextFireAt) console.log(`next fire: ${t.nextFireAt}`);
      } else await ctx.print(t);
    });

  withTriggerOptions(
    tr.command("update").description("Change a trigger (only the options given)").argument("<name>"),
  )
    .action(async (name: string, opts: TriggerOpts, cmd: Command) => {
      const ctx = contextFor(cmd);
      const patch = await body(opts);
      if (!Object.keys(patch).length) {
        throw new CliError("nothing to update: pass --config, --target, --input-transform, …", EXIT.usage);
      }
      const t = await (await ctx.client()).request<Trigger>("PATCH", `/api/v1/triggers/${seg(name)}`, patch);
      if (ctx.format() === "table") console.log(`updated ${t.name}`);
      else await ctx.print(t);
    });

  for (const action of ["enable", "disable"] as const) {
    tr.command(action)
      .description(`${action === "enable" ? "Enable" : "Disable"} a trigger`)
      .argument("<name>")
      .action(async (name: string, _opts: unknown, cmd: Command) => {
        const ctx = contextFor(cmd);
        const t = await (await ctx.client()).request<Trigger>(
          "POST",
          `/api/v1/triggers/${seg(name)}/${action}`,
        );
        if (ctx.format() === "table") {
          console.log(
            `${t.name} ${t.enabled ? "enabled" : "disabled"}${
              t.nextFireAt ? `; next fire ${t.nextFireAt}` : ""
            }`,
          );
        } else await ctx.print(t);
      });
  }

  tr.command("list")
    .description("List triggers")
    .option("--type <type>", "schedule | webhook | event")
    .option("--limit <n>", "page size")
    .option("--next-token <token>")
    .action(async (opts: { type?: string; limit?: string; nextToken?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ items: Trigger[]; nextToken?: string }>(
        "GET",
        "/api/v1/triggers",
        undefined,
        { query: { type: opts.type, limit: opts.limit, nextToken: opts.nextToken } },
      );
      if (ctx.format() === "json" || ctx.format() === "yaml") return await ctx.print(res);
      await ctx.print(res.items, { rows: res.items, columns });
      if (res.nextToken) console.log(`more: --next-token ${res.nextToken}`);
    });

  tr.command("get")
    .description("Show a trigger")
    .argument("<name>")
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      await ctx.print(await (await ctx.client()).request<Trigger>("GET", `/api/v1/triggers/${seg(name)}`));
    });

  tr.command("delete")
    .description("Delete a trigger and its history")
    .argument("<name>")
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const t = await (await ctx.client()).request<Trigger>("DELETE", `/api/v1/triggers/${seg(name)}`);
      if (ctx.format() === "table") console.log(`deleted ${t.name}`);
      else await ctx.print(t);
    });

  tr.command("history")
    .description("Firings of a trigger, newest first: time, execution id, outcome")
    .argument("<name>")
    .option(
      "--status <status>",
      "pending|retrying|dispatched|succeeded|failed|timed_out|dead_lettered|skipped",
    )
    .option("--limit <n>", "page size", "20")
    .option("--next-token <token>")
    .action(
      async (name: string, opts: { status?: string; limit?: string; nextToken?: string }, cmd: Command) => {
        const ctx = contextFor(cmd);
        const res = await (await ctx.client()).request<{ items: Firing[]; nextToken?: string }>(
          "GET",
          `/api/v1/triggers/${seg(name)}/history`,
          undefined,
          { query: { status: opts.status, limit: opts.limit, nextToken: opts.nextToken } },
        );
        if (ctx.format() === "json" || ctx.format() === "yaml") return await ctx.print(res);
        await ctx.print(res.items, { rows: res.items, columns: firingColumns });
        if (res.nextToken) console.log(`more: --next-token ${res.nextToken}`);
      },
    );

  tr.command("preview")
    .description("The next fire times of a schedule trigger, or of --config before creating one")
    .argument("[name]")
    .option(
      "--config <json>",
      'a schedule config, e.g. \'{"cron": "0 9 * * 1-5", "timezone": "Europe/Berlin"}\'',
    )
    .option("--count <n>", "how many", "5")
    .action(async (name: string | undefined, opts: { config?: string; count: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const count = Number(opts.count);
      if (!Number.isInteger(count) || count < 1 || count > 100) {
        throw new CliError("--count must be a whole number from 1 to 100", EXIT.usage);
      }
      const client = await ctx.client();
      let res: { fireTimes: string[]; timezone: string };
      if (name !== undefined) {
        res = await client.request("GET", `/api/v1/triggers/${seg(name)}/preview`, undefined, {
          query: { count },
        });
      } else if (opts.config !== undefined) {
        res = await client.request("POST", "/api/v1/triggers/preview", {
          config: parseJsonOption(opts.config, "--config"),
          count,
        });
      } else throw new CliError("give a trigger name or --config", EXIT.usage);
      if (ctx.format() !== "table" && ctx.format() !== "wide") return await ctx.print(res);
      if (!res.fireTimes.length) return console.log("(no further fire times)");
      const local = (iso: string) =>
        new Date(iso).toLocaleString("sv-SE", { timeZone: res.timezone, hour12: false }) + ` ${res.timezone}`;
      for (const t of res.fireTimes) console.log(`${t}  (${local(t)})`);
    });
}
