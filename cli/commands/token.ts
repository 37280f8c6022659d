import type { Command } from "../framework/command.ts";
import { contextFor, seg } from "../context.ts";

interface TokenInfo {
  id: string;
  name: string;
  role: string;
  tenant: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const columns = [
  { header: "id", value: (t: TokenInfo) => t.id },
  { header: "name", value: (t: TokenInfo) => t.name },
  { header: "role", value: (t: TokenInfo) => t.role },
  { header: "tenant", value: (t: TokenInfo) => t.tenant },
  { header: "status", value: (t: TokenInfo) => (t.revokedAt ? "revoked" : "active") },
  { header: "created", value: (t: TokenInfo) => t.createdAt, wide: true },
  { header: "last used", value: (t: TokenInfo) => t.lastUsedAt, wide: true },
  { header: "expires", value: (t: TokenInfo) => t.expiresAt, wide: true },
];

export function register(program: Command) {
  const token = program.command("token").description("Manage API tokens (admin)");
  token.command("create")
    .description("Create a token; its value is printed once")
    .argument("<name>", "a label, e.g. ci")
    .option("--role <role>", "viewer | operator | admin", "operator")
    .option(
      "--token-tenant <tenant>",
      "tenant the token is scoped to ('*' = all); default: the current tenant",
    )
    .option("--expires-at <iso>", "expiry time (ISO 8601)")
    .action(
      async (
        name: string,
        opts: { role: string; tokenTenant?: string; expiresAt?: string },
        cmd: Command,
      ) => {
        const ctx = contextFor(cmd);
        const client = await ctx.client();
        const res = await client.request<{ token: string; info: TokenInfo }>("POST", "/api/v1/tokens", {
          name,
          role: opts.role,
          ...(opts.tokenTenant ? { tenant: opts.tokenTenant } : {}),
          ...(opts.expiresAt ? { expiresAt: opts.expiresAt } : {}),
        });
        if (ctx.format() === "table") {
          console.log(
            `token ${res.info.id} (${res.info.role}, tenant ${res.info.tenant}) — store it now, it is not shown again:`,
          );
          console.log(res.token);
        } else await ctx.print(res);
      },
    );
  token.command("list")
    .description("List tokens (values are never shown)")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ items: TokenInfo[] }>("GET", "/api/v1/tokens");
      await ctx.print(ctx.format() === "table" || ctx.format() === "wide" ? res.items : res, {
        rows: res.items,
        columns,
      });
    });
  token.command("revoke")
    .description("Revoke a token by id")
    .argument("<id>")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const info = await (await ctx.client()).request<TokenInfo>("DELETE", `/api/v1/tokens/${seg(id)}`);
      if (ctx.format() === "table") console.log(`revoked ${info.id} (${info.name})`);
      else await ctx.print(info);
    });
}
