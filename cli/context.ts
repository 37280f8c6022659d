/** What every command handler gets: the API client, the output format and printing helpers. */
import type { Command } from "./framework/command.ts";
import { type ApiClient, createClient, type GlobalOptions } from "./client.ts";
import { type Column, type OutputFormat, parseFormat, print } from "./output.ts";
import { CliError, EXIT } from "./errors.ts";

export interface CliContext {
  client(): Promise<ApiClient>;
  format(): OutputFormat;
  globals(): GlobalOptions;
  print<T>(data: unknown, table?: { rows?: T[]; columns: Column<T>[] }): Promise<void>;
}

const ENV = new WeakMap<Command, Record<string, string | undefined>>();

/** Attaches the process environment (given by main.ts) to the program. */
export function attachEnv(program: Command, env: Record<string, string | undefined>) {
  ENV.set(program, env);
}

/** The environment attached to this command's root program. */
export function envOf(cmd: Command): Record<string, string | undefined> {
  let root = cmd;
  while (root.parent) root = root.parent;
  return ENV.get(root) ?? {};
}

export function contextFor(cmd: Command): CliContext {
  const globals = () => cmd.optsWithGlobals() as GlobalOptions;
  let client: Promise<ApiClient> | undefined;
  return {
    globals,
    client: () => (client ??= createClient(globals(), envOf(cmd))),
    format: () => parseFormat(globals().output),
    print: (data, table) => print(parseFormat(globals().output), data, table),
  };
}

/** Parses a `--data '{...}'` style JSON option, naming the option on failure. */
export function parseJsonOption(value: string | undefined, option: string): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new CliError(`${option} is not valid JSON: ${(err as Error).message}`, EXIT.usage);
  }
}

/** Reads `-` (stdin) or a file path. */
export async function readSource(path: string): Promise<string> {
  if (path === "-") return await new Response(Deno.stdin.readable).text();
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`, EXIT.usage);
  }
}

/** URL-encodes a name or TRN for use as one path segment. */
export const seg = (value: string) => encodeURIComponent(value);
