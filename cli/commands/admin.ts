import type { Command } from "../framework/command.ts";
import { resolve } from "node:path";
import { contextFor, readSource } from "../context.ts";

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
  admin.command("rotate-master-key")
    .description("Re-wrap every CredVault data key with a new master key, without downtime")
    .option("--new-key-file <file>", "base64 of 32 bytes ('-' = stdin); default: the server generates one")
    .action(async (opts: { newKeyFile?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const newKey = opts.newKeyFile ? (await readSource(opts.newKeyFile)).trim() : undefined;
      const res = await (await ctx.client()).request<{ message: string; newKey?: string }>(
        "POST",
        "/api/v1/admin/master-key/rotate",
        newKey ? { newKey } : {},
      );
      if (ctx.format() !== "table") return await ctx.print(res);
      console.log(res.message);
      if (res.newKey) console.log(`new AIONIX_MASTER_KEY (shown once):\n  ${res.newKey}`);
    });
}
