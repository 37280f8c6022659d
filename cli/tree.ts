/** A plain description of the command tree, shared by completion scripts and docs export. */
import type { Command, Option } from "./framework/command.ts";

export interface OptionInfo {
  flags: string;
  names: string[];
  description: string;
  takesValue: boolean;
  choices?: string[];
  defaultValue?: unknown;
}

export interface CommandInfo {
  /** Space-separated path below the root, "" for the root. */
  path: string;
  name: string;
  description: string;
  usage: string;
  arguments: { name: string; required: boolean; description: string }[];
  options: OptionInfo[];
  subcommands: string[];
}

function optionInfo(o: Option): OptionInfo {
  return {
    flags: o.flags,
    names: [o.short, o.long].filter((n): n is string => !!n),
    description: o.description,
    takesValue: o.required || o.optional,
    choices: o.argChoices,
    defaultValue: o.defaultValue,
  };
}

/** Flattens the tree depth-first; hidden commands are left out. */
export function describeTree(root: Command): CommandInfo[] {
  const out: CommandInfo[] = [];
  const visit = (cmd: Command, path: string) => {
    // deno-lint-ignore no-explicit-any
    const visible = cmd.commands.filter((c) => !(c as any)._hidden);
    out.push({
      path,
      name: cmd.name(),
      description: cmd.description(),
      usage: `${[root.name(), path].filter(Boolean).join(" ")} ${cmd.usage()}`.trim(),
      arguments: cmd.registeredArguments.map((a) => ({
        name: a.name(),
        required: a.required,
        description: a.description,
      })),
      options: cmd.options.map(optionInfo),
      subcommands: visible.map((c) => c.name()),
    });
    for (const sub of visible) visit(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  visit(root, "");
  return out;
}
