import type { Command } from "../framework/command.ts";
import { VERSION } from "../../runtime/version.ts";
import { contextFor } from "../context.ts";

export function register(program: Command) {
  program.command("version")
    .description("Print the CLI version (and the server's with --server)")
    .option("--server", "also ask the server for its version")
    .action(async (opts: { server?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const info: Record<string, unknown> = { cli: VERSION, deno: Deno.version.deno };
      if (opts.server) {
        const client = await ctx.client();
        const health = await client.request<{ version: string }>("GET", "/healthz");
        info.server = health.version;
        info.endpoint = client.endpoint;
      }
      if (ctx.format() === "table") console.log(Object.entries(info).map(([k, v]) => `${k} ${v}`).join("\n"));
      else await ctx.print(info);
    });
}
