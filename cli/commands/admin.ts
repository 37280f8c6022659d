import type { Command } from "commander";
import { resolve } from "node:path";
import { contextFor } from "../context.ts";

export function register(program: Command) {
  const admin = program.command("admin").description("Server administration");
  admin.command("backup")
    .description("Write a consistent copy of the database (VACUUM INTO) to a new file on the server")
    .argument("<file>", "path of the backup file (relative paths resolve against this directory)")
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ path: string; bytes: number }>(
        "POST",
        "/api/v1/admin/backup",
        { path: resolve(file) },
      );
      if (ctx.format() === "table") console.log(`backup written: ${res.path} (${res.bytes} bytes)`);
      else await ctx.print(res);
    });
}
