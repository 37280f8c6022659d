/** `aio wf`: StepFlow — templates, executions, history, live watch, callbacks, validate, test-state. */
import type { Command } from "../framework/command.ts";
import { contextFor, parseJsonOption, readSource, seg } from "../context.ts";
import { CliError, EXIT } from "../errors.ts";
import type {
  Diagnostic,
  Execution,
  HistoryEventView,
  Template,
  TemplateVersion,
  TestStateResult,
} from "../../services/stepflow/types.ts";

const text = (v: unknown) => (v === undefined ? "-" : typeof v === "string" ? v : JSON.stringify(v));

const templateColumns = [
  { header: "name", value: (t: Template) => t.name },
  { header: "version", value: (t: Template) => t.version },
  { header: "description", value: (t: Template) => t.description || "-" },
  { header: "updated", value: (t: Template) => t.updatedAt },
  { header: "trn", value: (t: Template) => t.trn, wide: true },
];

const execColumns = [
  { header: "id", value: (e: Execution) => e.id },
  { header: "template", value: (e: Execution) => `${e.template}:${e.version}` },
  { header: "status", value: (e: Execution) => e.status },
  { header: "kind", value: (e: Execution) => e.kind, wide: true },
  { header: "name", value: (e: Execution) => e.name, wide: true },
  { header: "started", value: (e: Execution) => e.startedAt },
  { header: "stopped", value: (e: Execution) => e.stoppedAt },
  { header: "error", value: (e: Execution) => e.error, wide: true },
];

const eventColumns = [
  { header: "seq", value: (e: HistoryEventView) => e.seq },
  { header: "time", value: (e: HistoryEventView) => e.timestamp },
  { header: "type", value: (e: HistoryEventView) => e.type },
  { header: "state", value: (e: HistoryEventView) => e.statePath || "-" },
  {
    header: "data",
    value: (e: HistoryEventView) =>
      e.error ? `${e.error}: ${e.cause ?? ""}` : e.output !== undefined ? text(e.output) : text(e.input),
  },
];

const diagColumns = [
  { header: "severity", value: (d: Diagnostic) => d.severity },
  { header: "code", value: (d: Diagnostic) => d.code },
  { header: "path", value: (d: Diagnostic) => d.path || "/" },
  { header: "message", value: (d: Diagnostic) => d.message },
];

async function readDsl(file: string): Promise<unknown> {
  const source = await readSource(file);
  try {
    return JSON.parse(source);
  } catch (err) {
    if (/\.ya?ml$/i.test(file)) {
      const { parse } = await import("yaml");
      return parse(source);
    }
    throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`, EXIT.usage);
  }
}

function positive(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new CliError(`${what} must be a positive number (got '${value}')`, EXIT.usage);
  }
  return n;
}

async function input(opts: { data?: string; dataFile?: string }): Promise<unknown> {
  if (opts.dataFile) return parseJsonOption(await readSource(opts.dataFile), "--data-file");
  return parseJsonOption(opts.data, "--data");
}

function registerTemplates(wf: Command) {
  wf.command("create")
    .description("Create a workflow template from a DSL file")
    .argument("<name>", "template name, e.g. order-flow")
    .requiredOption("--dsl <file>", "DSL file (JSON or YAML; - for stdin)")
    .option("--description <text>", "description")
    .action(async (name: string, opts: { dsl: string; description?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const t = await (await ctx.client()).request<Template>("POST", "/api/v1/templates", {
        name,
        dsl: await readDsl(opts.dsl),
        ...(opts.description !== undefined ? { description: opts.description } : {}),
      });
      if (ctx.format() === "table") console.log(`created ${t.name} version ${t.version} (${t.trn})`);
      else await ctx.print(t);
    });
  wf.command("update")
    .description("Store a new version of a template")
    .argument("<name>")
    .requiredOption("--dsl <file>", "DSL file (JSON or YAML; - for stdin)")
    .option("--description <text>", "description")
    .action(async (name: string, opts: { dsl: string; description?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const t = await (await ctx.client()).request<Template>("PUT", `/api/v1/templates/${seg(name)}`, {
        dsl: await readDsl(opts.dsl),
        ...(opts.description !== undefined ? { description: opts.description } : {}),
      });
      if (ctx.format() === "table") console.log(`updated ${t.name} to version ${t.version}`);
      else await ctx.print(t);
    });
  wf.command("get")
    .description("Show a template; -o json prints its DSL too")
    .argument("<name>", "name or TRN")
    .option("--version <n>", "a specific version")
    .action(async (name: string, opts: { version?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const t = await (await ctx.client()).request<Template>(
        "GET",
        `/api/v1/templates/${seg(name)}`,
        undefined,
        {
          query: { version: opts.version },
        },
      );
      if (ctx.format() === "table" || ctx.format() === "wide") {
        const { dsl, ...rest } = t;
        await ctx.print(rest);
        console.log(JSON.stringify(dsl, null, 2));
      } else await ctx.print(t);
    });
  wf.command("list")
    .description("List workflow templates")
    .option("--limit <n>", "page size", "100")
    .option("--next-token <token>", "continue a listing")
    .action(async (opts: { limit: string; nextToken?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ items: Template[]; nextToken?: string }>(
        "GET",
        "/api/v1/templates",
        undefined,
        { query: { limit: opts.limit, nextToken: opts.nextToken } },
      );
      await ctx.print(ctx.format() === "table" || ctx.format() === "wide" ? res.items : res, {
        rows: res.items,
        columns: templateColumns,
      });
      if (res.nextToken && ctx.format() === "table") console.error(`more: --next-token ${res.nextToken}`);
    });
  wf.command("delete")
    .description("Delete a template (running executions finish)")
    .argument("<name>")
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const t = await (await ctx.client()).request<Template>("DELETE", `/api/v1/templates/${seg(name)}`);
      if (ctx.format() === "table") console.log(`deleted ${t.name}`);
      else await ctx.print(t);
    });
  wf.command("versions")
    .description("List a template's versions")
    .argument("<name>")
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ items: TemplateVersion[] }>(
        "GET",
        `/api/v1/templates/${seg(name)}/versions`,
      );
      await ctx.print(ctx.format() === "table" || ctx.format() === "wide" ? res.items : res, {
        rows: res.items,
        columns: [
          { header: "version", value: (v: TemplateVersion) => v.version },
          { header: "created", value: (v: TemplateVersion) => v.createdAt },
          { header: "description", value: (v: TemplateVersion) => v.description || "-" },
        ],
      });
    });
  wf.command("validate")
    .description("Validate a DSL file; exits 3 when it has errors")
    .argument("<file>", "DSL file (JSON or YAML; - for stdin)")
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ valid: boolean; diagnostics: Diagnostic[] }>(
        "POST",
        "/api/v1/stepflow/validate",
        { dsl: await readDsl(file) },
      );
      if (ctx.format() === "table" || ctx.format() === "wide") {
        if (res.diagnostics.length) {
          await ctx.print(res.diagnostics, { rows: res.diagnostics, columns: diagColumns });
        }
        console.log(res.valid ? `${file}: valid` : `${file}: invalid`);
      } else await ctx.print(res);
      if (!res.valid) throw new CliError(`${file} has errors`, EXIT.invalid);
    });
}

function registerRun(wf: Command) {
  wf.command("run")
    .description("Start an execution (async; --sync waits for the result)")
    .argument("<name>", "template name or TRN (NAME:VERSION pins a version)")
    .option("--data <json>", "execution input as JSON")
    .option("--data-file <file>", "execution input from a JSON file (- for stdin)")
    .option("--sync", "wait for the result")
    .option("--express", "run as an express execution (in memory, no history)")
    .option("--name <name>", "idempotent execution name")
    .option("--version <n>", "template version")
    .option("--timeout <seconds>", "with --sync: how long to wait", "30")
    .action(async (name: string, opts: Record<string, string | boolean | undefined>, cmd: Command) => {
      const ctx = contextFor(cmd);
      const execInput = await input(opts as { data?: string; dataFile?: string });
      const e = await (await ctx.client()).request<Execution>(
        "POST",
        `/api/v1/templates/${seg(name)}/executions`,
        {
          input: execInput,
          mode: opts.sync ? "sync" : "async",
          ...(opts.express ? { kind: "express" } : {}),
          ...(opts.name ? { name: opts.name } : {}),
          ...(opts.version ? { version: positive(opts.version as string, "--version") } : {}),
          ...(opts.sync ? { timeoutSeconds: positive(opts.timeout as string, "--timeout") } : {}),
        },
      );
      if (ctx.format() === "table") {
        console.log(`${e.id}  ${e.status}`);
        if (e.output !== undefined) console.log(JSON.stringify(e.output, null, 2));
        if (e.error) console.log(`${e.error}: ${e.cause ?? ""}`);
      } else await ctx.print(e);
      if (e.status === "failed" || e.status === "timed_out") {
        throw new CliError(`execution ${e.status}`, EXIT.failure);
      }
    });
}

function registerExec(wf: Command) {
  const exec = wf.command("exec").description("Executions: list, get, history, watch, cancel, redrive");
  exec.command("list")
    .description("List executions, newest first")
    .option("--status <status>", "running | succeeded | failed | cancelled | timed_out")
    .option("--template <name>", "only this template")
    .option("--since <iso>", "started at or after")
    .option("--until <iso>", "started before")
    .option("--kind <kind>", "durable (default, stored) | express (recent ones kept in memory)")
    .option("--limit <n>", "page size", "100")
    .option("--next-token <token>", "continue a listing")
    .action(async (opts: Record<string, string | undefined>, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ items: Execution[]; nextToken?: string }>(
        "GET",
        "/api/v1/executions",
        undefined,
        { query: opts },
      );
      await ctx.print(ctx.format() === "table" || ctx.format() === "wide" ? res.items : res, {
        rows: res.items,
        columns: execColumns,
      });
      if (res.nextToken && ctx.format() === "table") console.error(`more: --next-token ${res.nextToken}`);
    });
  exec.command("get")
    .description("Show an execution")
    .argument("<id>")
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      await ctx.print(await (await ctx.client()).request<Execution>("GET", `/api/v1/executions/${seg(id)}`));
    });
  exec.command("history")
    .description("Show an execution's history events")
    .argument("<id>")
    .option("--limit <n>", "page size", "1000")
    .option("--next-token <token>", "continue")
    .action(async (id: string, opts: { limit: string; nextToken?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).request<{ items: HistoryEventView[]; nextToken?: string }>(
        "GET",
        `/api/v1/executions/${seg(id)}/history`,
        undefined,
        { query: { limit: opts.limit, nextToken: opts.nextToken } },
      );
      await ctx.print(ctx.format() === "table" || ctx.format() === "wide" ? res.items : res, {
        rows: res.items,
        columns: eventColumns,
      });
    });
  for (const action of ["cancel", "redrive"] as const) {
    exec.command(action)
      .description(
        action === "cancel"
          ? "Cancel a running execution"
          : "Redrive a failed execution from the failed state",
      )
      .argument("<id>")
      .action(async (id: string, _o: unknown, cmd: Command) => {
        const ctx = contextFor(cmd);
        const e = await (await ctx.client()).request<Execution>(
          "POST",
          `/api/v1/executions/${seg(id)}/${action}`,
        );
        if (ctx.format() === "table") console.log(`${e.id}  ${e.status}`);
        else await ctx.print(e);
      });
  }
  exec.command("watch")
    .description("Follow an execution's events live until it ends")
    .argument("<id>")
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const res = await (await ctx.client()).raw("GET", `/api/v1/executions/${seg(id)}/events`, {
        headers: { accept: "text/event-stream" },
      });
      if (!res.ok || !res.body) {
        throw new CliError(`cannot watch ${id}: HTTP ${res.status} ${await res.text()}`, EXIT.failure);
      }
      let buffer = "";
      let final: Execution | undefined;
      for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        let i;
        while ((i = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) =>
            l.slice(5).trimStart()
          ).join("\n");
          if (!data) continue;
          if (event === "status") final = JSON.parse(data);
          else if (ctx.format() === "json") console.log(data);
          else {
            const e = JSON.parse(data) as HistoryEventView;
            console.log(eventColumns.map((c) => text(c.value(e))).join("  "));
          }
        }
      }
      if (final) {
        if (ctx.format() === "json") console.log(JSON.stringify(final));
        else {console.log(
            `${final.id}  ${final.status}${final.error ? `  ${final.error}: ${final.cause ?? ""}` : ""}`,
          );}
      }
    });
}

function registerTasks(wf: Command) {
  const task = wf.command("task").description("Complete callback tasks by their token");
  task.command("success")
    .argument("<token>")
    // `--output <json>` after the command is rewritten to --result (cli/main.ts normalizeArgs).
    .option("--result <json>", "the task's output (JSON); --output <json> works too", "null")
    .action(async (token: string, opts: { result: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const r = await (await ctx.client()).request("POST", `/api/v1/tasks/${seg(token)}/success`, {
        output: parseJsonOption(opts.result, "--output"),
      });
      await ctx.print(r);
    });
  task.command("failure")
    .argument("<token>")
    .option("--error <name>", "error name", "States.TaskFailed")
    .option("--cause <text>", "cause")
    .action(async (token: string, opts: { error: string; cause?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const r = await (await ctx.client()).request("POST", `/api/v1/tasks/${seg(token)}/failure`, {
        error: opts.error,
        ...(opts.cause !== undefined ? { cause: opts.cause } : {}),
      });
      await ctx.print(r);
    });
  task.command("heartbeat")
    .argument("<token>")
    .action(async (token: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      await ctx.print(
        await (await ctx.client()).request("POST", `/api/v1/tasks/${seg(token)}/heartbeat`, {}),
      );
    });
}

function registerTestState(wf: Command) {
  wf.command("test-state")
    .description("Run one state with an input, variables and an optional mock; show each step's data")
    .requiredOption("--definition <file|json>", "the state's definition: a file or inline JSON")
    .option("--data <json>", "state input (JSON)")
    .option("--vars <json>", "variables (JSON object)")
    .option("--mock-result <json>", "mock the task result")
    .option("--mock-error <name>", "mock a task error")
    .option("--mock-cause <text>", "cause of the mocked error")
    .action(async (opts: Record<string, string | undefined>, cmd: Command) => {
      const ctx = contextFor(cmd);
      const data = opts.data;
      const def = opts.definition!.trim().startsWith("{")
        ? parseJsonOption(opts.definition, "--definition")
        : await readDsl(opts.definition!);
      const mock = opts.mockError
        ? { error: opts.mockError, ...(opts.mockCause ? { cause: opts.mockCause } : {}) }
        : opts.mockResult !== undefined
        ? { result: parseJsonOption(opts.mockResult, "--mock-result") }
        : undefined;
      const r = await (await ctx.client()).request<TestStateResult>("POST", "/api/v1/stepflow/test-state", {
        definition: def,
        ...(data !== undefined ? { input: parseJsonOption(data, "--data") } : {}),
        ...(opts.vars !== undefined ? { vars: parseJsonOption(opts.vars, "--vars") } : {}),
        ...(mock ? { mock } : {}),
      });
      if (ctx.format() === "table") {
        console.log(`status: ${r.status}${r.nextState ? `  next: ${r.nextState}` : ""}`);
        if (r.error) console.log(`error: ${r.error}: ${r.cause ?? ""}`);
        for (const s of r.steps) console.log(`${s.name}: ${JSON.stringify(s.data)}`);
      } else await ctx.print(r);
    });
}

export function register(program: Command) {
  const wf = program.command("wf").description("StepFlow workflows: templates, executions, callbacks");
  registerTemplates(wf);
  registerRun(wf);
  registerExec(wf);
  registerTasks(wf);
  registerTestState(wf);
}
