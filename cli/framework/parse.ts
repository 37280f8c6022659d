/**
 * Splits argv into this command's options (applied at once), operands and the unknown rest,
 * with commander's rules: a command's known options are recognised anywhere; from the first
 * unknown option on, everything else is handed down to the subcommand; `--` ends options.
 */
import type { Command } from "./command.ts";

const maybeOption = (arg: string) => arg.length > 1 && arg[0] === "-";
const NEGATIVE_NUMBER = /^-(\d+|\d*\.\d+)([eE][+-]?\d+)?$/;

export function parseOptions(cmd: Command, args: string[]): { operands: string[]; unknown: string[] } {
  const operands: string[] = [];
  const unknown: string[] = [];
  let dest = operands;
  let group: string | undefined; // the rest of a short-flag group like -fo
  let i = 0;
  while (i < args.length || group !== undefined) {
    const arg = group ?? args[i++];
    group = undefined;
    if (arg === "--") {
      if (dest === unknown) dest.push(arg);
      dest.push(...args.slice(i));
      break;
    }
    if (maybeOption(arg)) {
      const option = cmd.findOption(arg);
      if (option) {
        if (option.required) {
          const value = args[i++];
          if (value === undefined) {
            cmd.error(`error: option '${option.flags}' argument missing`, "commander.optionMissingArgument");
          }
          cmd.setOptionFromCli(option, value);
        } else if (option.optional) {
          const next = args[i];
          const takes = next !== undefined && (!maybeOption(next) || NEGATIVE_NUMBER.test(next));
          cmd.setOptionFromCli(option, takes ? args[i++] : null);
        } else {
          cmd.setOptionFromCli(option, undefined);
        }
        continue;
      }
    }
    if (arg.length > 2 && arg[0] === "-" && arg[1] !== "-") {
      const option = cmd.findOption(`-${arg[1]}`);
      if (option) {
        if (option.required || option.optional) {
          cmd.setOptionFromCli(option, arg.slice(2));
        } else {
          cmd.setOptionFromCli(option, undefined);
          group = `-${arg.slice(2)}`;
        }
        continue;
      }
    }
    if (/^--[^=]+=/.test(arg)) {
      const at = arg.indexOf("=");
      const option = cmd.findOption(arg.slice(0, at));
      if (option && (option.required || option.optional)) {
        cmd.setOptionFromCli(option, arg.slice(at + 1));
        continue;
      }
    }
    if (dest === operands && maybeOption(arg) && !(cmd.commands.length === 0 && NEGATIVE_NUMBER.test(arg))) {
      dest = unknown;
    }
    dest.push(arg);
  }
  return { operands, unknown };
}
