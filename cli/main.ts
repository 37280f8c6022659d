/**
 * The `aio` CLI: a command tree (cli/framework, commander-compatible) whose groups are small modules. Handlers import what
 * they need lazily; nothing here imports the server.
 */
import { Command, CommanderError, Option } from "./framework/command.ts";
import { CliError, EXIT } from "./errors.ts";
import { OUTPUT_FORMATS } from "./output.ts";
import { attachEnv } from "./context.ts";

export type Register = (program: Command) => void;

/** Command groups; each module exports `register(program)`. */
const GROUPS: Array<Promise<{ register: Register }>> = [
  import("./commands/version.ts"),
  import("./commands/token.ts"),
  import("./commands/admin.ts"),
  import("./commands/sec.ts"),
  import("./commands/param.ts"),
  import("./commands/audit.ts"),
  import("./commands/completion.ts"),
  import("./commands/whoami.ts"),
  import("./commands/act.ts"),
  import("./commands/mcp.ts"),
  import("./commands/tr.ts"),
  import("./commands/events.ts"),
  import("./commands/fn.ts"),
  import("./commands/wf.ts"),
];

export async function buildProgram(env: Record<string, string | undefined> = {}): Promise<Command> {
  const program = new Command("aio")
    .description("AionixOne CLI: workflows, functions, triggers, connectors, secrets and parameters")
    .option("--endpoint <url>", "server URL (env AIONIX_ENDPOINT)", undefined)
    .option("--token <token>", "API token (env AIONIX_TOKEN; default: <data>/admin.token)")
    .option("--tenant <tenant>", "tenant for this call (env AIONIX_TENANT)")
    .option(
      "--data-dir <dir>",
      "local server data dir, to find admin.token (env AIONIX_DATA; also --data before the command)",
    )
    .addOption(new Option("-o, --output <format>", "output format").choices(OUTPUT_FORMATS).default("table"))
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ outputError: (str, write) => write(str) })
    .exitOverride();
  attachEnv(program, env);
  for (const mod of await Promise.all(GROUPS)) mod.register(program);
  // Subcommands inherit exitOverride only when set on each; apply it everywhere.
  const walk = (cmd: Command) => {
    cmd.exitOverride();
    cmd.commands.forEach(walk);
  };
  walk(program);
  return program;
}

const GLOBAL_VALUE_OPTIONS = new Set([
  "--endpoint",
  "--token",
  "--tenant",
  "--data",
  "--data-dir",
  "-o",
  "--output",
]);

/**
 * `--data` is both the global data dir (`aio --data ./data token list`) and many commands' JSON
 * payload (`aio fn invoke f --data '{"x": 1}'`). Before the command word it is the data dir
 * (rewritten to `--data-dir`); after it, it belongs to the command.
 */
export function normalizeArgs(args: string[]): string[] {
  const out = [...args];
  let i = 0;
  for (; i < out.length; i++) {
    const arg = out[i];
    if (arg === "--") break;
    if (!arg.startsWith("-")) break; // the command word
    if (arg === "--data") out[i] = "--data-dir";
    else if (arg.startsWith("--data=")) out[i] = "--data-dir=" + arg.slice(7);
    if (!arg.includes("=") && GLOBAL_VALUE_OPTIONS.has(arg)) i++;
  }
  // Commands whose own `--output` is a payload: there it is theirs (the format stays `-o`).
  const payload = PAYLOAD_OUTPUT[out.slice(i, i + 3).join(" ")];
  if (payload) {
    for (let j = i + 3; j < out.length && out[j] !== "--"; j++) {
      if (out[j] === "--output") out[j] = payload;
      else if (out[j].startsWith("--output=")) out[j] = payload + out[j].slice(8);
    }
  }
  return out;
}

/** `aio wf task success TOKEN --output '{…}'`: the task's output, not the output format. */
const PAYLOAD_OUTPUT: Record<string, string> = { "wf task success": "--result" };

/** Runs the CLI and returns the process exit code. */
export async function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<number> {
  const program = await buildProgram(env);
  try {
    await program.parseAsync(normalizeArgs(args), { from: "user" });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.exitCode === 0) {
        return EXIT.ok;
      }
      if (err.code === "commander.help") return EXIT.ok;
      return EXIT.usage;
    }
    if (err instanceof CliError) {
      console.error(`error: ${err.message}`);
      return err.exitCode;
    }
    console.error(`error: ${(err as Error)?.message ?? String(err)}`);
    return EXIT.failure;
  }
}
