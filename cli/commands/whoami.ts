import type { Command } from "../framework/command.ts";
import { contextFor } from "../context.ts";

export function register(program: Command) {
  program.command("whoami")
    .description("Show the token in use, its role and the tenant requests run in")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      await ctx.print(await (await ctx.client()).request("GET", "/api/v1/whoami"));
    });
}
