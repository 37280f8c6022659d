/** `aio events`: put events on the event bus and test event patterns. */
import type { Command } from "commander";
import { contextFor, parseJsonOption, readSource } from "../context.ts";
import { CliError, EXIT } from "../errors.ts";
import type { PutEventsResult } from "../../services/igniter/types.ts";

async function jsonArg(
  value: string | undefined,
  file: string | undefined,
  option: string,
): Promise<unknown> {
  if (file !== undefined) return parseJsonOption(await readSource(file), `${option}-file`);
  return parseJsonOption(value, option);
}

export function register(program: Command) {
  const events = program.command("events").description("The event bus: put events, test patterns");

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
