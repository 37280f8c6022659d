/**
 * The one entrypoint. `aionix`, `aionix serve` or server flags start the server; anything else
 * (`aionix fn list`, or the executable invoked as `aio`) runs the CLI. Each path is imported
 * lazily so `aio version` never loads the server.
 */

/**
 * Imports a module of this program by a computed specifier. `deno run` loads every statically
 * analysable import — dynamic ones included — before main.ts starts, so literal specifiers would
 * make `aio version` pay for the whole server graph. `deno task compile` lists these entry points
 * in `--include` (scripts/compile.ts LAZY_ENTRIES).
 */
// deno-lint-ignore no-explicit-any
const lazy = (path: string): Promise<any> => import(new URL(path, import.meta.url).href);

const SERVER_FLAGS = ["--port", "--host", "--data", "--config", "--log-level", "-p"];

/** Hidden subcommands used by the platform itself (e.g. the supervised function host). */
const HIDDEN: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  "__fnhost": () => lazy("./runtime/sandbox/deno_host.ts"),
};

const USAGE = `Usage: aionix [serve] [--port N] [--host H] [--data DIR] [--config FILE] [--log-level L]
       aionix <cli-group> ...   (same as: aio <cli-group> ...; see 'aionix --help-cli')`;

/**
 * The server runs for no arguments, `serve ...`, or server flags only (`--port 53000`).
 * Anything with a command word (`token list`) or a CLI-only flag is the CLI.
 */
export function isServerInvocation(args: string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("-")) return arg === "serve";
    const flag = arg.split("=")[0];
    if (!SERVER_FLAGS.includes(flag)) return false;
    if (!arg.includes("=")) i++;
  }
  return true;
}

const SERVER_OPTIONS: Record<string, string> = {
  "--port": "port",
  "-p": "port",
  "--host": "host",
  "--data": "data",
  "--config": "config",
  "--log-level": "log-level",
};

/**
 * Parses the server's flags (`--port 53000`, `--port=53000`, `-p 53000`, `--help`). Hand-written
 * because node:util's parseArgs loads ~40 Node compatibility modules the server otherwise
 * never needs. Throws with a message naming the flag.
 */
export function parseServerArgs(args: string[]): Record<string, string | boolean | undefined> {
  const values: Record<string, string | boolean | undefined> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--help" || arg === "-h") {
      values.help = true;
      continue;
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const name = SERVER_OPTIONS[flag];
    if (!name) {
      throw new Error(
        arg.startsWith("-") ? `unknown option '${flag}'` : `unexpected argument '${arg}'`,
      );
    }
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || (eq < 0 && value.startsWith("-") && value.length > 1)) {
      throw new Error(`option '${flag} <value>' needs a value`);
    }
    values[name] = value;
  }
  return values;
}

async function runServer(args: string[]) {
  let values;
  try {
    values = parseServerArgs(args);
  } catch (err) {
    console.error(`aionix: ${(err as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const { loadConfig } = await lazy("./runtime/config.ts") as typeof import("./runtime/config.ts");
  const { ConfigError } = await lazy("./runtime/errors.ts") as typeof import("./runtime/errors.ts");
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      console.error(`aionix: --port: '${values.port}' is not a port number (0-65535)`);
      Deno.exit(2);
    }
  }
  const env = Deno.env.toObject();
  let loaded;
  try {
    const str = (v: string | boolean | undefined) => (typeof v === "string" ? v : undefined);
    loaded = await loadConfig({
      port,
      host: str(values.host),
      data: str(values.data),
      config: str(values.config),
      logLevel: str(values["log-level"]),
    }, { env });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`aionix: ${err.message}`);
      Deno.exit(2);
    }
    throw err;
  }
  const { config } = loaded;
  const { startServer } = await lazy("./runtime/http/start.ts") as typeof import("./runtime/http/start.ts");
  const { createServer } = await lazy("./server.ts") as typeof import("./server.ts");
  await startServer(config, { env, createServer });
}

async function main() {
  const args = [...Deno.args];
  const exe = Deno.execPath().split(/[\\/]/).pop() ?? "";
  const invokedAsAio = /^aio(\.exe)?$/i.test(exe);
  if (!invokedAsAio && args[0] && args[0] in HIDDEN) {
    const mod = await HIDDEN[args[0]]();
    return await mod.run(args.slice(1));
  }
  if (!invokedAsAio && isServerInvocation(args)) {
    const at = args.indexOf("serve");
    if (at >= 0) args.splice(at, 1);
    return await runServer(args);
  }
  const { runCli } = await lazy("./cli/main.ts") as typeof import("./cli/main.ts");
  Deno.exitCode = await runCli(args, Deno.env.toObject());
}

if (import.meta.main) await main();
