/** `aio audit`: the shared audit log (who did what to which resource, with what outcome). */
import type { Command } from "../framework/command.ts";
import { contextFor } from "../context.ts";

interface AuditEntry {
  id: string;
  time: string;
  tenant: string;
  action: string;
  resource: string;
  outcome: string;
  actor: string;
  source: string;
  detail: Record<string, unknown>;
}

const columns = [
  { header: "time", value: (e: AuditEntry) => e.time },
  { header: "action", value: (e: AuditEntry) => e.action },
  { header: "resource", value: (e: AuditEntry) => e.resource },
  { header: "outcome", value: (e: AuditEntry) => e.outcome },
  { header: "actor", value: (e: AuditEntry) => e.actor },
  { header: "source", value: (e: AuditEntry) => e.source, wide: true },
  { header: "detail", value: (e: AuditEntry) => e.detail, wide: true },
];

export function register(program: Command) {
  const audit = program.command("audit").description("The audit log (operator)");
  audit.command("list")
    .description("List audit entries, newest first")
    .option("--resource <trn>", "a resource TRN (end with '*' for a prefix)")
    .option("--action <action>", "e.g. secret.reveal, secret.create, param.put")
    .option("--since <time>", "only entries at or after this ISO 8601 time")
    .option("--limit <n>", "page size")
    .option("--next-token <token>", "continue a previous listing")
    .action(async (opts: Record<string, string | undefined>, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ items: AuditEntry[]; nextToken?: string }>(
        "GET",
        "/api/v1/audit",
        undefined,
        {
          query: {
            resource: opts.resource,
            action: opts.action,
            since: opts.since,
            limit: opts.limit,
            nextToken: opts.nextToken,
          },
        },
      );
      const tabular = ctx.format() === "table" || ctx.format() === "wide";
      await ctx.print(tabular ? res.items : res, { rows: res.items, columns });
      if (res.nextToken && tabular) console.log(`next: --next-token ${res.nextToken}`);
    });
}
