/** `aio fn`: functions — create/update/publish, aliases and traffic, invoke, logs (with --follow). */
import type { Command } from "../framework/command.ts";
import { contextFor, parseJsonOption, readSource, seg } from "../context.ts";
import { CliError, EXIT } from "../errors.ts";
import type {
  AliasInfo,
  FunctionInfo,
  InvokeResult,
  LogEntry,
  VersionInfo,
} from "../../services/aionixfn/types.ts";

const fnColumns = [
  { header: "name", value: (f: FunctionInfo) => f.name },
  { header: "runtime", value: (f: FunctionInfo) => f.runtime },
  { header: "handler", value: (f: FunctionInfo) => f.handler },
  { header: "memory", value: (f: FunctionInfo) => `${f.memory} MB` },
  { header: "timeout", value: (f: FunctionInfo) => `${f.timeout} s` },
  { header: "latest version", value: (f: FunctionInfo) => f.latestVersion },
  { header: "updated", value: (f: FunctionInfo) => f.updatedAt, wide: true },
  { header: "code hash", value: (f: FunctionInfo) => f.codeHash.slice(0, 12), wide: true },
  { header: "description", value: (f: FunctionInfo) => f.description, wide: true },
];
const versionColumns = [
  { header: "version", value: (v: VersionInfo) => v.version },
  { header: "code hash", value: (v: VersionInfo) => v.codeHash.slice(0, 12) },
  { header: "created", value: (v: VersionInfo) => v.createdAt },
  { header: "description", value: (v: VersionInfo) => v.description },
];
const aliasColumns = [
  { header: "alias", value: (a: AliasInfo) => a.name },
  { header: "version", value: (a: AliasInfo) => a.version },
  {
    header: "traffic",
    value: (a: AliasInfo) =>
      a.weights
        ? Object.entries(a.weights).map(([v, w]) => `${v}=${Math.round(w * 1000) / 10}%`).join(" ")
        : "100%",
  },
  { header: "description", value: (a: AliasInfo) => a.description, wide: true },
];

interface CodeOptions {
  runtime?: string;
  code?: string;
  file?: string;
  dir?: string;
  zip?: string;
  handler?: string;
  timeout?: string;
  memory?: string;
  env?: string[];
  envSecret?: string[];
  allowNet?: string[];
  allowEnv?: string[];
  allowRead?: string[];
  description?: string;
  reservedConcurrency?: string;
  maxRetries?: string;
  onSuccess?: string;
  onFailure?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function numberOption(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new CliError(`${option} must be a number (got '${value}')`, EXIT.usage);
  return n;
}

async function readDir(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const walk = async (rel: string) => {
    for await (const entry of Deno.readDir(`${dir}/${rel}`)) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory) {
        if (entry.name !== "node_modules" && !entry.name.startsWith(".")) await walk(path);
      } else if (entry.isFile) files[path] = await Deno.readTextFile(`${dir}/${path}`);
    }
  };
  try {
    await walk("");
  } catch (err) {
    throw new CliError(`cannot read ${dir}: ${(err as Error).message}`, EXIT.usage);
  }
  return files;
}

/** `NAME=SECRET[:stage]` → `{secretRef, stage?}` (SECRET: a CredVault name or trn:credvault:… TRN). */
function secretRef(kv: string): { secretRef: string; stage?: string } {
  const eq = kv.indexOf("=");
  if (eq <= 0 || eq === kv.length - 1) {
    throw new CliError(`--env-secret takes NAME=SECRET[:current|pending|previous] (got '${kv}')`, EXIT.usage);
  }
  const ref = kv.slice(eq + 1);
  const stage = /:(current|pending|previous)$/.exec(ref)?.[1];
  return stage ? { secretRef: ref.slice(0, -stage.length - 1), stage } : { secretRef: ref };
}

async function bodyFrom(opts: CodeOptions): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  if (opts.runtime) body.runtime = opts.runtime;
  const sources = [opts.code, opts.file, opts.dir, opts.zip].filter((x) => x !== undefined);
  if (sources.length > 1) throw new CliError("give only one of --code, --file, --dir, --zip", EXIT.usage);
  if (opts.code !== undefined) body.code = opts.code;
  if (opts.file !== undefined) body.code = await readSource(opts.file);
  if (opts.dir !== undefined) body.files = await readDir(opts.dir);
  if (opts.zip !== undefined) {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(opts.zip);
    } catch (err) {
      throw new CliError(`cannot read ${opts.zip}: ${(err as Error).message}`, EXIT.usage);
    }
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    body.zip = btoa(binary);
  }
  if (opts.handler) body.handler = opts.handler;
  if (opts.timeout !== undefined) body.timeout = numberOption(opts.timeout, "--timeout");
  if (opts.memory !== undefined) body.memory = numberOption(opts.memory, "--memory");
  if (opts.env || opts.envSecret) {
    body.env = Object.fromEntries([
      ...(opts.env ?? []).map((kv) => {
        const eq = kv.indexOf("=");
        if (eq <= 0) throw new CliError(`--env takes NAME=VALUE (got '${kv}')`, EXIT.usage);
        return [kv.slice(0, eq), kv.slice(eq + 1)];
      }),
      ...(opts.envSecret ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), secretRef(kv)]),
    ]);
  }
  if (opts.allowNet || opts.allowEnv || opts.allowRead) {
    body.permissions = { net: opts.allowNet ?? [], env: opts.allowEnv ?? [], read: opts.allowRead ?? [] };
  }
  if (opts.description !== undefined) body.description = opts.description;
  if (opts.reservedConcurrency !== undefined) {
    body.reservedConcurrency = opts.reservedConcurrency === "none"
      ? null
      : numberOption(opts.reservedConcurrency, "--reserved-concurrency");
  }
  if (opts.maxRetries !== undefined) body.maxRetries = numberOption(opts.maxRetries, "--max-retries");
  if (opts.onSuccess || opts.onFailure) {
    body.destinations = {
      ...(opts.onSuccess ? { onSuccess: opts.onSuccess } : {}),
      ...(opts.onFailure ? { onFailure: opts.onFailure } : {}),
    };
  }
  return body;
}

function codeOptions(cmd: Command): Command {
  return cmd
    .option("--code <source>", "inline module source")
    .option("--file <path>", "read the module from a file ('-' = stdin)")
    .option("--dir <path>", "upload a directory as a bundle")
    .option("--zip <path>", "upload a .zip bundle")
    .option("--handler <handler>", "Deno: export or file.ts#export; Python: function or module.function")
    .option("--timeout <seconds>", "timeout in seconds")
    .option("--memory <mb>", "memory limit in MB")
    .option("--env <NAME=VALUE>", "environment variable (repeatable)", collect)
    .option(
      "--env-secret <NAME=SECRET>",
      "environment variable read from a CredVault secret at each invocation; SECRET[:stage] (repeatable)",
      collect,
    )
    .option("--allow-net <host>", "host[:port] the function may reach (repeatable)", collect)
    .option("--allow-env <name>", "server env variable the function may read (repeatable)", collect)
    .option("--allow-read <path>", "absolute path the function may read (repeatable)", collect)
    .option("--description <text>", "description")
    .option("--reserved-concurrency <n>", "max concurrent invocations ('none' to clear)")
    .option("--max-retries <n>", "retries of failed async invocations (0-2)")
    .option("--on-success <dest>", "async destination: fn:NAME, wf:NAME or event")
    .option("--on-failure <dest>", "async destination: fn:NAME, wf:NAME or event");
}

function printLog(e: LogEntry) {
  const marker = ["START", "END", "REPORT"].includes(e.level);
  console.log(marker ? e.message : `${e.time} ${e.requestId} ${e.level.toUpperCase()} ${e.message}`);
}

export function register(program: Command) {
  const fn = program.command("fn").description("Functions (Deno and Python): create, publish, invoke, logs");

  fn.command("list").description("List functions").action(async (_o: unknown, cmd: Command) => {
    const ctx = contextFor(cmd);
    const client = await ctx.client();
    const items: FunctionInfo[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.request<{ items: FunctionInfo[]; nextToken?: string }>(
        "GET",
        "/api/v1/functions",
        undefined,
        {
          query: { limit: 1000, nextToken },
        },
      );
      items.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    await ctx.print(ctx.format() === "json" || ctx.format() === "yaml" ? { items } : items, {
      rows: items,
      columns: fnColumns,
    });
  });

  fn.command("get").description("Show a function").argument("<name>")
    .option("--code", "include the code")
    .action(async (name: string, opts: { code?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const f = await (await ctx.client()).request<FunctionInfo>(
        "GET",
        `/api/v1/functions/${seg(name)}`,
        undefined,
        {
          query: { code: opts.code ? "true" : undefined },
        },
      );
      await ctx.print(f);
    });

  codeOptions(
    fn.command("create").description("Create a function").argument("<name>")
      .requiredOption("--runtime <runtime>", "deno | python"),
  ).action(async (name: string, opts: CodeOptions, cmd: Command) => {
    const ctx = contextFor(cmd);
    const f = await (await ctx.client()).request<FunctionInfo>("POST", "/api/v1/functions", {
      name,
      ...await bodyFrom(opts),
    });
    if (ctx.format() === "table") console.log(`created ${f.trn} (${f.runtime}, handler ${f.handler})`);
    else await ctx.print(f);
  });

  codeOptions(
    fn.command("update").description("Update the $LATEST draft").argument("<name>").option(
      "--runtime <runtime>",
    ),
  )
    .action(async (name: string, opts: CodeOptions, cmd: Command) => {
      const ctx = contextFor(cmd);
      const f = await (await ctx.client()).request<FunctionInfo>(
        "PUT",
        `/api/v1/functions/${seg(name)}`,
        await bodyFrom(opts),
      );
      if (ctx.format() === "table") console.log(`updated ${f.trn} (code ${f.codeHash.slice(0, 12)})`);
      else await ctx.print(f);
    });

  fn.command("delete").description("Delete a function").argument("<name>")
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      await (await ctx.client()).request("DELETE", `/api/v1/functions/${seg(name)}`);
      if (ctx.format() === "table") console.log(`deleted ${name}`);
      else await ctx.print({ deleted: name });
    });

  fn.command("publish").description("Publish a version from the $LATEST draft").argument("<name>")
    .option("--description <text>")
    .action(async (name: string, opts: { description?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const v = await (await ctx.client()).request<VersionInfo>(
        "POST",
        `/api/v1/functions/${seg(name)}/versions`,
        opts.description !== undefined ? { description: opts.description } : {},
      );
      if (ctx.format() === "table") {
        console.log(`version ${v.version} (${v.trn}, code ${v.codeHash.slice(0, 12)})`);
      } else await ctx.print(v);
    });

  fn.command("versions").description("List published versions").argument("<name>")
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ items: VersionInfo[] }>(
        "GET",
        `/api/v1/functions/${seg(name)}/versions`,
        undefined,
        { query: { limit: 1000 } },
      );
      await ctx.print(ctx.format() === "json" || ctx.format() === "yaml" ? res : res.items, {
        rows: res.items,
        columns: versionColumns,
      });
    });

  const alias = fn.command("alias").description("Aliases: named pointers to versions");
  alias.command("create").argument("<function>").argument("<alias>").requiredOption(
    "--version <v>",
    "version or $LATEST",
  )
    .option("--description <text>", "", "")
    .action(async (name: string, a: string, opts: { version: string; description: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<AliasInfo>(
        "POST",
        `/api/v1/functions/${seg(name)}/aliases`,
        {
          name: a,
          version: opts.version,
          description: opts.description,
        },
      );
      if (ctx.format() === "table") console.log(`alias ${res.trn} → ${res.version}`);
      else await ctx.print(res);
    });
  alias.command("update").argument("<function>").argument("<alias>").option("--version <v>").option(
    "--description <text>",
  )
    .action(
      async (name: string, a: string, opts: { version?: string; description?: string }, cmd: Command) => {
        const ctx = contextFor(cmd);
        const res = await (await ctx.client()).request<AliasInfo>(
          "PUT",
          `/api/v1/functions/${seg(name)}/aliases/${seg(a)}`,
          opts,
        );
        if (ctx.format() === "table") console.log(`alias ${res.trn} → ${res.version}`);
        else await ctx.print(res);
      },
    );
  alias.command("list").argument("<function>").action(async (name: string, _o: unknown, cmd: Command) => {
    const ctx = contextFor(cmd);
    const res = await (await ctx.client()).request<{ items: AliasInfo[] }>(
      "GET",
      `/api/v1/functions/${seg(name)}/aliases`,
    );
    await ctx.print(ctx.format() === "json" || ctx.format() === "yaml" ? res : res.items, {
      rows: res.items,
      columns: aliasColumns,
    });
  });
  alias.command("delete").argument("<function>").argument("<alias>")
    .action(async (name: string, a: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      await (await ctx.client()).request("DELETE", `/api/v1/functions/${seg(name)}/aliases/${seg(a)}`);
      if (ctx.format() === "table") console.log(`deleted alias ${a}`);
      else await ctx.print({ deleted: a });
    });

  fn.command("traffic").description("Split an alias's traffic: aio fn traffic NAME ALIAS 3=0.9 4=0.1")
    .argument("<function>").argument("<alias>").argument("<weights...>", "VERSION=WEIGHT pairs summing to 1")
    .action(async (name: string, a: string, pairs: string[], _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const weights: Record<string, number> = {};
      for (const p of pairs) {
        const [v, w] = p.split("=");
        const n = Number(w);
        if (!v || w === undefined || !Number.isFinite(n)) {
          throw new CliError(`weights are VERSION=WEIGHT, e.g. 3=0.9 (got '${p}')`, EXIT.usage);
        }
        weights[v] = n;
      }
      const res = await (await ctx.client()).request<AliasInfo>(
        "POST",
        `/api/v1/functions/${seg(name)}/aliases/${seg(a)}/traffic`,
        weights,
      );
      await ctx.print(ctx.format() === "table" ? [res] : res, { rows: [res], columns: aliasColumns });
    });

  fn.command("invoke").description("Invoke a function: aio fn invoke NAME[:qualifier] --data '{\"x\": 1}'")
    .argument("<name>")
    .option("--data <json>", "the event (JSON)")
    .option("--data-file <path>", "read the event from a file ('-' = stdin)")
    .option("--qualifier <q>", "version, alias or $LATEST")
    .option("--type <type>", "sync | async | dry-run", "sync")
    .option("--logs", "print the invocation's log lines to stderr")
    .action(async (
      name: string,
      opts: { data?: string; dataFile?: string; qualifier?: string; type: string; logs?: boolean },
      cmd: Command,
    ) => {
      const ctx = contextFor(cmd);
      const event = opts.dataFile !== undefined
        ? parseJsonOption(await readSource(opts.dataFile), "--data-file")
        : parseJsonOption(opts.data, "--data") ?? null;
      const client = await ctx.client();
      const res = await client.request<InvokeResult & { status: string }>(
        "POST",
        `/api/v1/functions/${seg(name)}/invoke`,
        event,
        { query: { qualifier: opts.qualifier, type: opts.type, logs: opts.logs ? "true" : undefined } },
      );
      if (opts.logs && res.logs) { for (const line of res.logs) console.error(line); }
      if (ctx.format() !== "table") {
        await ctx.print(res);
      } else if (res.status === "succeeded") {
        console.log(JSON.stringify(res.result, null, 2));
      } else if (res.status === "failed" && res.error) {
        console.log(JSON.stringify(res.error, null, 2));
      } else {
        console.log(JSON.stringify(res, null, 2));
      }
      if (res.status === "failed") Deno.exitCode = EXIT.failure;
    });

  fn.command("invocation").description("Status of an async invocation").argument("<name>").argument(
    "<requestId>",
  )
    .action(async (name: string, id: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      await ctx.print(
        await (await ctx.client()).request("GET", `/api/v1/functions/${seg(name)}/invocations/${seg(id)}`),
      );
    });

  fn.command("logs").description("Show a function's logs; --follow streams new lines").argument("<name>")
    .option("-f, --follow", "keep streaming new lines (Server-Sent Events)")
    .option("--limit <n>", "lines to show", "100")
    .option("--request-id <id>", "only this invocation")
    .action(
      async (name: string, opts: { follow?: boolean; limit: string; requestId?: string }, cmd: Command) => {
        const ctx = contextFor(cmd);
        const client = await ctx.client();
        const limit = numberOption(opts.limit, "--limit") ?? 100;
        const json = ctx.format() === "json";
        if (!opts.follow) {
          const res = await client.request<{ items: LogEntry[] }>(
            "GET",
            `/api/v1/functions/${seg(name)}/logs`,
            undefined,
            {
              query: { limit, requestId: opts.requestId },
            },
          );
          if (json) console.log(JSON.stringify(res, null, 2));
          else for (const e of res.items) printLog(e);
          return;
        }
        const res = await client.raw("GET", `/api/v1/functions/${seg(name)}/logs/stream?tail=${limit}`, {
          headers: { accept: "text/event-stream" },
        });
        if (!res.ok || !res.body) {
          const text = await res.text();
          throw new CliError(
            `cannot follow logs (${res.status}): ${text}`,
            res.status === 404 ? EXIT.notFound : EXIT.failure,
          );
        }
        const decoder = new TextDecoder();
        let buffer = "";
        for await (const chunk of res.body) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join(
              "\n",
            );
            if (event !== "log" || !data) continue;
            const entry = JSON.parse(data) as LogEntry;
            if (opts.requestId && entry.requestId !== opts.requestId) continue;
            if (json) console.log(JSON.stringify(entry));
            else printLog(entry);
          }
        }
      },
    );

  fn.command("metrics").description("Invocations, errors, throttles, cold starts, durations").argument(
    "<name>",
  )
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<Record<string, unknown>>(
        "GET",
        `/api/v1/functions/${seg(name)}/metrics`,
      );
      if (ctx.format() === "table") console.log(JSON.stringify(res, null, 2));
      else await ctx.print(res);
    });
}
