/** `aio param`: ParamStore — set/get, get-by-path, history, labels, rollback, import/export. */
import type { Command } from "../framework/command.ts";
import { extname } from "node:path";
import { contextFor, readSource, seg } from "../context.ts";
import { CliError, EXIT } from "../errors.ts";
import type { Param, ParamVersion } from "../../services/paramstore/types.ts";

const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

const paramColumns = [
  { header: "path", value: (p: Param) => p.path },
  { header: "type", value: (p: Param) => p.type },
  { header: "version", value: (p: Param) => p.version },
  { header: "value", value: (p: Param) => (p.error ? `error: ${p.error}` : text(p.value)) },
  { header: "labels", value: (p: Param) => p.labels.join(",") || "-", wide: true },
  { header: "dynamic", value: (p: Param) => p.dynamic, wide: true },
  { header: "modified", value: (p: Param) => p.lastModified, wide: true },
];

const historyColumns = [
  { header: "version", value: (v: ParamVersion) => v.version },
  { header: "type", value: (v: ParamVersion) => v.type },
  { header: "value", value: (v: ParamVersion) => text(v.value) },
  { header: "labels", value: (v: ParamVersion) => v.labels.join(",") || "-" },
  { header: "created", value: (v: ParamVersion) => v.createdAt },
  { header: "by", value: (v: ParamVersion) => v.createdBy, wide: true },
];

/** A path as one URL segment: /app/db/host → %2Fapp%2Fdb%2Fhost. */
const p = (path: string) => `/api/v1/params/${seg(path)}`;

function positive(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new CliError(`${what} must be a positive integer (got '${value}')`, EXIT.usage);
  }
  return n;
}

function formatOf(value: string | undefined, file?: string): "env" | "json" | "yaml" {
  let f = value;
  if (!f && file && file !== "-") {
    const ext = extname(file).toLowerCase();
    f = ext === ".json"
      ? "json"
      : ext === ".yaml" || ext === ".yml"
      ? "yaml"
      : ext === ".env" || file.endsWith(".env")
      ? "env"
      : undefined;
  }
  if (f === "env" || f === "json" || f === "yaml") return f;
  throw new CliError(
    `--format must be env, json or yaml${
      value ? ` (got '${value}')` : " (it cannot be guessed from the file name)"
    }`,
    EXIT.usage,
  );
}

export function register(program: Command) {
  const param = program.command("param").description("ParamStore: hierarchical, versioned configuration");

  param.command("set")
    .description(
      "Set a parameter; each change is a new version (aio param set /app/config/timeout --value 30)",
    )
    .argument("<path>", "parameter path, e.g. /app/config/timeout")
    .option("--value <value>", "the value, or a '{% JSONata %}' expression evaluated at read time")
    .option("--value-file <file>", "read the value from a file, or '-' for stdin")
    .option(
      "--type <type>",
      "string | number | boolean | json | string_list | secret_ref (default: existing, else string)",
    )
    .option("--description <text>", "description")
    .option("--allowed-pattern <regex>", "a regular expression values must match")
    .option("--no-overwrite", "fail if the parameter already exists")
    .action(async (path: string, opts: Record<string, string | boolean | undefined>, cmd: Command) => {
      if ((opts.value === undefined) === (opts.valueFile === undefined)) {
        throw new CliError("give the value with --value or --value-file (not both)", EXIT.usage);
      }
      const value = opts.valueFile !== undefined
        ? (await readSource(opts.valueFile as string)).replace(/\r?\n$/, "")
        : opts.value;
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<Param>("PUT", p(path), {
        value,
        ...(opts.type ? { type: opts.type } : {}),
        ...(opts.description !== undefined ? { description: opts.description } : {}),
        ...(opts.allowedPattern !== undefined ? { allowedPattern: opts.allowedPattern } : {}),
        overwrite: opts.overwrite !== false,
      });
      if (ctx.format() === "table") {
        console.log(`${res.path} = ${text(res.value)} (version ${res.version}, ${res.type})`);
      } else await ctx.print(res);
    });

  param.command("get")
    .description("Print a parameter's value (path, path:VERSION or path:LABEL); -o json for details")
    .argument("<path>", "parameter path, optionally with :version or :label")
    .option("--raw", "print a dynamic value's {% %} source instead of evaluating it")
    .option("--with-decryption", "resolve a secret_ref to the secret value (operator role)")
    .action(async (path: string, opts: { raw?: boolean; withDecryption?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<Param>("GET", p(path), undefined, {
        query: {
          raw: opts.raw ? "true" : undefined,
          withDecryption: opts.withDecryption ? "true" : undefined,
        },
      });
      if (ctx.format() === "table") console.log(text(res.value));
      else await ctx.print(res);
    });

  const byPath = (name: string) =>
    param.command(name)
      .description("List the parameters under a path (direct children, or all levels with --recursive)")
      .argument("[path]", "subtree root", "/")
      .option("--recursive", "include every level below the path")
      .option("--type <type>", "only this type")
      .option("--label <label>", "only parameters with this label (at the labelled version)")
      .option("--raw", "show {% %} sources instead of evaluating")
      .option("--with-decryption", "resolve secret_refs (operator role)")
      .option("--limit <n>", "page size")
      .option("--next-token <token>", "continue a previous listing")
      .action(async (path: string, opts: Record<string, string | boolean | undefined>, cmd: Command) => {
        const ctx = contextFor(cmd);
        const res = await (await ctx.client()).request<{ items: Param[]; nextToken?: string }>(
          "GET",
          "/api/v1/params",
          undefined,
          {
            query: {
              path,
              recursive: opts.recursive ? "true" : undefined,
              type: opts.type,
              label: opts.label,
              raw: opts.raw ? "true" : undefined,
              withDecryption: opts.withDecryption ? "true" : undefined,
              limit: opts.limit,
              nextToken: opts.nextToken,
            },
          },
        );
        const tabular = ctx.format() === "table" || ctx.format() === "wide";
        await ctx.print(tabular ? res.items : res, { rows: res.items, columns: paramColumns });
        if (res.nextToken && tabular) console.log(`next: --next-token ${res.nextToken}`);
      });
  byPath("get-by-path");
  byPath("list");

  param.command("history")
    .description("Show a parameter's versions, newest first")
    .argument("<path>", "parameter path")
    .option("--limit <n>", "page size")
    .option("--next-token <token>", "continue a previous listing")
    .action(async (path: string, opts: { limit?: string; nextToken?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ items: ParamVersion[]; nextToken?: string }>(
        "GET",
        `${p(path)}/history`,
        undefined,
        { query: { limit: opts.limit, nextToken: opts.nextToken } },
      );
      await ctx.print(ctx.format() === "table" || ctx.format() === "wide" ? res.items : res, {
        rows: res.items,
        columns: historyColumns,
      });
    });

  param.command("label")
    .description("Attach labels to a version (default latest); a label moves from any other version")
    .argument("<path>", "parameter path")
    .argument("<labels...>", "one or more labels")
    .option("--param-version <n>", "the version to label")
    .action(async (path: string, labels: string[], opts: { paramVersion?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ version: number; labels: string[] }>(
        "PUT",
        `${p(path)}/labels`,
        {
          labels,
          ...(opts.paramVersion ? { version: positive(opts.paramVersion, "--param-version") } : {}),
        },
      );
      if (ctx.format() === "table") console.log(`${path} version ${res.version}: ${res.labels.join(", ")}`);
      else await ctx.print(res);
    });

  param.command("unlabel")
    .description("Remove a label")
    .argument("<path>", "parameter path")
    .argument("<label>", "label")
    .action(async (path: string, label: string, _opts: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request("DELETE", `${p(path)}/labels/${seg(label)}`);
      if (ctx.format() === "table") console.log(`removed label ${label} from ${path}`);
      else await ctx.print(res);
    });

  param.command("rollback")
    .description("Create a new version equal to an old one")
    .argument("<path>", "parameter path")
    .argument("<version>", "the version to roll back to")
    .action(async (path: string, version: string, _opts: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<Param>("POST", `${p(path)}/rollback`, {
        version: positive(version, "version"),
      });
      if (ctx.format() === "table") {
        console.log(`${res.path} rolled back to version ${version}: now version ${res.version}`);
      } else await ctx.print(res);
    });

  param.command("delete")
    .description("Delete a parameter with all its versions")
    .argument("<path>", "parameter path")
    .action(async (path: string, _opts: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request("DELETE", p(path));
      if (ctx.format() === "table") console.log(`deleted ${path}`);
      else await ctx.print(res);
    });

  param.command("export")
    .description("Print a subtree as .env, JSON or YAML (aio param export /app --format env)")
    .argument("<path>", "subtree root")
    .option("--format <format>", "env | json | yaml", "json")
    .option("--raw", "export {% %} sources instead of evaluated values")
    .action(async (path: string, opts: { format: string; raw?: boolean }, cmd: Command) => {
      const format = formatOf(opts.format);
      const client = await contextFor(cmd).client();
      // request() returns JSON parsed and other documents (env, yaml) as text.
      const doc = await client.request<unknown>("GET", `${p(path)}/export`, undefined, {
        query: { format, raw: opts.raw ? "true" : undefined },
      });
      const body = typeof doc === "string" ? doc : JSON.stringify(doc, null, 2) + "\n";
      Deno.stdout.writeSync(new TextEncoder().encode(body));
    });

  param.command("import")
    .description("Import a .env, JSON or YAML document under a path (all or nothing)")
    .argument("<path>", "subtree root")
    .requiredOption("--file <file>", "the document, or '-' for stdin")
    .option("--format <format>", "env | json | yaml (default: from the file extension)")
    .option("--no-overwrite", "fail if any parameter already exists")
    .action(
      async (path: string, opts: { file: string; format?: string; overwrite: boolean }, cmd: Command) => {
        const format = formatOf(opts.format, opts.file);
        const content = await readSource(opts.file);
        const ctx = contextFor(cmd);
        const res = await (await ctx.client()).request<{ imported: number; paths: string[] }>(
          "POST",
          `${p(path)}/import`,
          {
            format,
            content,
            overwrite: opts.overwrite !== false,
          },
        );
        if (ctx.format() === "table") console.log(`imported ${res.imported} parameters under ${path}`);
        else await ctx.print(res);
      },
    );
}
