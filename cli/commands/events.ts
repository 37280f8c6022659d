/** `aio events`: put events on the event bus, list what arrived, test event patterns. */
import type { Command } from "../framework/command.ts";
import { contextFor, parseJsonOption, readSource } from "../context.ts";
import { CliError, EXIT } from "../errors.ts";
import type { PutEventsResult, StoredEvent } from "../../services/igniter/types.ts";

async function jsonArg(
  value: string | undefined,
  file: string | undefined,
  option: string,
): Promise<unknown> {
  if (file !== undefined) return parseJsonOption(await readSource(file), `${option}-file`);
  return parseJsonOption(value, option);
}

export function register(program: Command) {
  const events = program.command("events").description("The event bus: put events, list them, test patterns");

  events.command("put")
    .description("Put one event (--source/--detail-type/--detail) or a batch (--entries)")
    .option("--source <source>", "e.g. com.shop.orders")
    .option("--detail-type <type>", "e.g. 'Order Placed'")
    .option("--detail <json>", "the event detail (JSON object)")
    .option("--resources <list>", "comma-separated resource names")
    .option("--event-bus <name>", "bus name (default: default)")
    .option("--entries <json>", "a JSON array of events")
    .option("--entries-file <path>", "read the JSON array from a file ('-' = stdin)")
    .action(async (
      opts: {
        source?: string;
        detailType?: string;
        detail?: string;
        resources?: string;
        eventBus?: string;
        entries?: string;
        entriesFile?: string;
      },
      cmd: Command,
    ) => {
      const ctx = contextFor(cmd);
      let entries: unknown;
      if (opts.entries !== undefined || opts.entriesFile !== undefined) {
        entries = await jsonArg(opts.entries, opts.entriesFile, "--entries");
        if (!Array.isArray(entries)) {
          throw new CliError("--entries must be a JSON array of events", EXIT.usage);
        }
      } else {
        if (!opts.source || !opts.detailType) {
          throw new CliError("give --source and --detail-type (and --detail), or --entries", EXIT.usage);
        }
        entries = [{
          source: opts.source,
          "detail-type": opts.detailType,
          detail: parseJsonOption(opts.detail, "--detail") ?? {},
          ...(opts.resources
            ? { resources: opts.resources.split(",").map((s) => s.trim()).filter(Boolean) }
            : {}),
          ...(opts.eventBus ? { eventBus: opts.eventBus } : {}),
        }];
      }
      const res = await (await ctx.client()).request<PutEventsResult>("POST", "/api/v1/events", { entries });
      if (ctx.format() !== "table" && ctx.format() !== "wide") return await ctx.print(res);
      await ctx.print(res.entries, {
        rows: res.entries,
        columns: [
          { header: "event id", value: (e) => e.eventId },
          { header: "matched rules", value: (e) => e.matchedRules },
        ],
      });
    });

  events.command("list")
    .description("Events that arrived, newest first, matched or not")
    .option("--source <source>", "only this exact source")
    .option("--detail-type <type>", "only this exact detail-type")
    .option("--event-bus <name>", "only this bus")
    .option("--limit <n>", "page size", "20")
    .option("--next-token <token>")
    .action(async (
      opts: { source?: string; detailType?: string; eventBus?: string; limit?: string; nextToken?: string },
      cmd: Command,
    ) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ items: StoredEvent[]; nextToken?: string }>(
        "GET",
        "/api/v1/events",
        undefined,
        {
          query: {
            source: opts.source,
            detailType: opts.detailType,
            eventBus: opts.eventBus,
            limit: opts.limit,
            nextToken: opts.nextToken,
          },
        },
      );
      if (ctx.format() === "json" || ctx.format() === "yaml") return await ctx.print(res);
      await ctx.print(res.items, {
        rows: res.items,
        columns: [
          { header: "received", value: (e) => e.receivedAt },
          { header: "source", value: (e) => e.source },
          { header: "detail-type", value: (e) => e.detailType },
          { header: "matched", value: (e) => e.matchedRules },
          { header: "event id", value: (e) => e.id },
          { header: "bus", value: (e) => e.eventBus, wide: true },
          { header: "time", value: (e) => e.time, wide: true },
          { header: "detail", value: (e) => JSON.stringify(e.detail), wide: true },
        ],
      });
      if (res.nextToken) console.log(`more: --next-token ${res.nextToken}`);
    });

  events.command("test-pattern")
    .description("Check whether an event pattern matches an event")
    .option("--pattern <json>", "the EventBridge pattern")
    .option("--pattern-file <path>")
    .option("--event <json>", "the event envelope")
    .option("--event-file <path>")
    .action(
      async (
        opts: { pattern?: string; patternFile?: string; event?: string; eventFile?: string },
        cmd: Command,
      ) => {
        const ctx = contextFor(cmd);
        const pattern = await jsonArg(opts.pattern, opts.patternFile, "--pattern");
        const event = await jsonArg(opts.event, opts.eventFile, "--event");
        if (pattern === undefined || event === undefined) {
          throw new CliError("give --pattern (or --pattern-file) and --event (or --event-file)", EXIT.usage);
        }
        const res = await (await ctx.client()).request<{ result: boolean }>(
          "POST",
          "/api/v1/events/test-pattern",
          {
            pattern,
            event,
          },
        );
        if (ctx.format() === "table" || ctx.format() === "wide") {
          console.log(res.result ? "match" : "no match");
        } else await ctx.print(res);
      },
    );
}
