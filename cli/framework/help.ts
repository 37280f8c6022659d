/** Help text in commander's layout (Usage, description, Arguments, Options, Commands) and typo suggestions. */
import type { Command } from "./command.ts";
import { humanReadableArgName, type Option } from "./option.ts";

const MIN_WIDTH_TO_WRAP = 40;

/** Word-wraps each line of `text` to `width` columns. */
export function boxWrap(text: string, width: number): string {
  if (width < MIN_WIDTH_TO_WRAP) return text;
  const out: string[] = [];
  for (const line of text.split(/\r\n|\n/)) {
    const chunks = line.match(/\s*\S+/g);
    if (!chunks) {
      out.push("");
      continue;
    }
    let current = chunks.shift()!;
    for (const chunk of chunks) {
      if (current.length + chunk.length <= width) {
        current += chunk;
      } else {
        out.push(current);
        current = chunk.trimStart();
      }
    }
    out.push(current);
  }
  return out.join("\n");
}

function optionDescription(o: Option): string {
  const extra: string[] = [];
  if (o.argChoices) extra.push(`choices: ${o.argChoices.map((c) => JSON.stringify(c)).join(", ")}`);
  if (
    o.defaultValue !== undefined &&
    (o.required || o.optional || (o.isBoolean() && typeof o.defaultValue === "boolean"))
  ) {
    extra.push(`default: ${JSON.stringify(o.defaultValue)}`);
  }
  if (!extra.length) return o.description;
  return o.description ? `${o.description} (${extra.join(", ")})` : `(${extra.join(", ")})`;
}

function subcommandTerm(cmd: Command): string {
  const args = cmd.registeredArguments.map(humanReadableArgName).join(" ");
  const alias = cmd.alias();
  return cmd.name() + (alias ? `|${alias}` : "") + (cmd.options.length ? " [options]" : "") +
    (args ? ` ${args}` : "");
}

/** The full help text of `cmd`, wrapped to `width` columns, ending in a newline. */
export function formatHelp(cmd: Command, width: number): string {
  let names = cmd.name() + (cmd.alias() ? `|${cmd.alias()}` : "");
  for (let p = cmd.parent; p; p = p.parent) names = `${p.name()} ${names}`;
  const args = cmd.registeredArguments.some((a) => a.description) ? cmd.registeredArguments : [];
  const items = {
    arguments: args.map((a) => {
      const extra = [
        a.argChoices ? `choices: ${a.argChoices.map((c) => JSON.stringify(c)).join(", ")}` : "",
        a.defaultValue !== undefined ? `default: ${JSON.stringify(a.defaultValue)}` : "",
      ].filter(Boolean).join(", ");
      return [a.name(), [a.description, extra && `(${extra})`].filter(Boolean).join(" ")];
    }),
    options: [...cmd.options, cmd.helpOption].map((o) => [o.flags, optionDescription(o)]),
    commands: cmd.visibleCommands().map((c) => [subcommandTerm(c), c.description()]),
  };
  if (cmd.hasImplicitHelpCommand()) items.commands.push(["help [command]", "display help for command"]);
  const termWidth = Math.max(0, ...Object.values(items).flat().map(([term]) => term.length));
  const item = ([term, description]: string[]) => {
    if (!description) return `  ${term}`;
    const remaining = width - termWidth - 4;
    const text = remaining < MIN_WIDTH_TO_WRAP || /\n[^\S\r\n]/.test(description)
      ? description
      : boxWrap(description, remaining).replace(/\n/g, "\n" + " ".repeat(termWidth + 2));
    return `  ${term.padEnd(termWidth)}  ${text.replace(/\n/g, "\n  ")}`;
  };
  const out = [`Usage: ${names} ${cmd.usage()}`, ""];
  if (cmd.description()) out.push(boxWrap(cmd.description(), width), "");
  for (
    const [heading, list] of [
      ["Arguments:", items.arguments],
      ["Options:", items.options],
      ["Commands:", items.commands],
    ] as const
  ) {
    if (list.length) out.push(heading, ...list.map(item), "");
  }
  return out.join("\n");
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Math.max(a.length, b.length);
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d[i] = [i];
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let j = 1; j <= b.length; j++) {
    for (let i = 1; i <= a.length; i++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** `\n(Did you mean X?)` for the closest candidates (at most 3 edits, > 40% similar), or "". */
export function suggestSimilar(word: string, candidates: string[]): string {
  const options = word.startsWith("--");
  const strip = (s: string) => options ? s.slice(2) : s;
  const target = strip(word);
  let similar: string[] = [];
  let best = 3;
  for (const candidate of new Set(candidates.map(strip))) {
    if (candidate.length <= 1) continue;
    const distance = editDistance(target, candidate);
    const length = Math.max(target.length, candidate.length);
    if ((length - distance) / length <= 0.4) continue;
    if (distance < best) {
      best = distance;
      similar = [candidate];
    } else if (distance === best) similar.push(candidate);
  }
  similar.sort((a, b) => a.localeCompare(b));
  if (options) similar = similar.map((c) => `--${c}`);
  if (similar.length > 1) return `\n(Did you mean one of ${similar.join(", ")}?)`;
  return similar.length ? `\n(Did you mean ${similar[0]}?)` : "";
}
