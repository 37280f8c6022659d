/**
 * `deno task compile [--target <triple>|all] [--dry-run]`: builds dist/aionix (and dist/aio, the
 * same binary under the CLI's name) with `deno compile`, embedding Studio assets, the function
 * sandbox files and the connector drivers selected in connectors.toml. `deno compile` downloads
 * its base runtime (denort) unless DENORT_BIN points at a local one; the variable is passed through.
 */
import { parse } from "smol-toml";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

async function exists(path: string) {
  return await Deno.stat(join(ROOT, path)).then(() => true, () => false);
}

/**
 * Modules imported through computed specifiers (so `deno run` does not preload them; see `lazy`
 * in main.ts): `deno compile` cannot see them, so they are included explicitly.
 */
export const LAZY_ENTRIES = [
  "server.ts",
  "cli/main.ts",
  "runtime/config.ts",
  "runtime/errors.ts",
  "runtime/http/start.ts",
  "services/openact/mcp/tools.ts",
];

/** The `--include` paths: lazy entries, Studio's build, sandbox files, the selected connectors. */
export async function includes(): Promise<string[]> {
  const out: string[] = [...LAZY_ENTRIES];
  for (const dir of ["studio/dist", "runtime/sandbox"]) if (await exists(dir)) out.push(dir);
  out.push("connectors.toml");
  const selection = parse(await Deno.readTextFile(join(ROOT, "connectors.toml"))) as {
    connectors?: Record<string, boolean>;
  };
  for (const [kind, on] of Object.entries(selection.connectors ?? {})) {
    const file = `services/openact/connectors/${kind}.ts`;
    if (on && await exists(file)) out.push(file);
  }
  return out;
}

export async function compileArgs(target: string | undefined): Promise<string[]> {
  const name = target ? `aionix-${target}${target.includes("windows") ? ".exe" : ""}` : "aionix";
  const args = ["compile", "-A", "--no-check", "--output", `dist/${name}`];
  if (target) args.push("--target", target);
  for (const inc of await includes()) args.push("--include", inc);
  args.push("main.ts");
  return args;
}

async function run(args: string[]) {
  const status = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "inherit",
    stderr: "inherit",
  })
    .spawn().status;
  if (!status.success) throw new Error(`deno ${args.join(" ")} failed (exit ${status.code})`);
}

if (import.meta.main) {
  const argv = [...Deno.args];
  const dryRun = argv.includes("--dry-run");
  const t = argv.indexOf("--target");
  const wanted = t >= 0 ? argv[t + 1] : undefined;
  if (wanted && wanted !== "all" && !TARGETS.includes(wanted)) {
    console.error(`unknown --target '${wanted}': use all or one of ${TARGETS.join(", ")}`);
    Deno.exit(2);
  }
  const targets = wanted === "all" ? TARGETS : [wanted];
  if (!dryRun && !(await exists("studio/dist/index.html")) && (await exists("studio/vite.config.ts"))) {
    console.error("building Studio first (deno task studio:build)...");
    await run(["task", "studio:build"]);
  }
  for (const target of targets) {
    const args = await compileArgs(target);
    console.error(`deno ${args.join(" ")}`);
    if (dryRun) continue;
    await run(args);
    if (!target) {
      await Deno.remove(join(ROOT, "dist/aio")).catch(() => {});
      await Deno.symlink("aionix", join(ROOT, "dist/aio"));
      console.error("built dist/aionix (and dist/aio → aionix, the CLI)");
    }
  }
}
