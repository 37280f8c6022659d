/** `aio docs --format markdown`: the CLI reference generated from the command tree. */
import type { CommandInfo } from "./tree.ts";
import { EXIT } from "./errors.ts";

const EXIT_MEANINGS: Record<keyof typeof EXIT, string> = {
  ok: "success",
  failure: "the server failed (5xx) or an unexpected error",
  usage: "bad command-line usage (unknown command/option, missing argument, invalid JSON in --data)",
  invalid: "the server rejected the input (400, 413, 415, 422)",
  auth: "missing, invalid or insufficient token (401, 403)",
  notFound: "the named resource does not exist (404)",
  conflict: "conflict with the current state (409) or throttled (429)",
  unreachable: "the server could not be reached",
};

const esc = (s: string) => s.replaceAll("|", "\\|");

export function markdownDocs(tree: CommandInfo[]): string {
  const root = tree[0];
  const out = [
    `# ${root.name} CLI reference`,
    "",
    root.description,
    "",
    "Names are TRN-first: every NAME argument accepts a short name (resolved in the current tenant) or a",
    "full TRN such as `trn:aionixfn:prod:function/charge:live`.",
    "",
    "## Global options",
    "",
    "| option | description |",
    "|---|---|",
    ...root.options.map((o) =>
      `| \`${esc(o.flags)}\` | ${esc(o.description)}${o.choices ? ` (${o.choices.join(", ")})` : ""} |`
    ),
    "",
    "## Exit codes",
    "",
    "| code | meaning |",
    "|---|---|",
    ...Object.entries(EXIT).map(([k, v]) => `| ${v} | ${EXIT_MEANINGS[k as keyof typeof EXIT]} |`),
    "",
    "## Commands",
    "",
  ];
  for (const c of tree.slice(1)) {
    const depth = Math.min(6, 2 + c.path.split(" ").length);
    out.push(`${"#".repeat(depth)} \`${root.name} ${c.path}\``, "", c.description || "", "");
    out.push("```", c.usage, "```", "");
    if (c.arguments.length) {
      out.push("| argument | required | description |", "|---|---|---|");
      for (const a of c.arguments) {
        out.push(`| \`${a.name}\` | ${a.required ? "yes" : "no"} | ${esc(a.description)} |`);
      }
      out.push("");
    }
    if (c.options.length) {
      out.push("| option | description |", "|---|---|");
      for (const o of c.options) {
        const extra = [
          o.choices ? `one of ${o.choices.join(", ")}` : "",
          o.defaultValue !== undefined ? `default ${JSON.stringify(o.defaultValue)}` : "",
        ].filter(Boolean).join("; ");
        out.push(`| \`${esc(o.flags)}\` | ${esc(o.description)}${extra ? ` (${extra})` : ""} |`);
      }
      out.push("");
    }
    if (c.subcommands.length) out.push(`Subcommands: ${c.subcommands.map((s) => `\`${s}\``).join(", ")}`, "");
  }
  return out.join("\n");
}
