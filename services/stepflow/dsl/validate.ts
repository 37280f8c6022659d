/**
 * Validation with diagnostics: schema errors (zod), then the graph rules zod cannot express —
 * transitions and their targets, reachability from `entry`, a terminal state, retry/catch
 * `States.ALL` placement, wait specs, JSONata syntax (every expression is compiled here),
 * unknown actions, nesting depth — recursively through parallel branches and map processors.
 */
import { zodIssues } from "../../../runtime/http/problem.ts";
import { compileExpression, ExpressionSyntaxError, isExpression } from "../expr/template.ts";
import { loadJsonata } from "../../../runtime/jsonata.ts";
import { type Dsl, DslSchema, type Graph, type State, STATE_TYPES } from "./schema.ts";

export interface Diagnostic {
  severity: "error" | "warning";
  code: string;
  message: string;
  /** JSON pointer into the DSL document. */
  path: string;
}

export interface ValidateOptions {
  /** Resolves whether a task action exists (executor registered and target present). */
  actionExists?: (action: string) => Promise<boolean> | boolean;
  /** Maximum nesting of parallel/map sub-graphs (stepflow.max_depth). */
  maxDepth?: number;
}

export interface ValidationResult {
  valid: boolean;
  diagnostics: Diagnostic[];
  dsl?: Dsl;
}

const ALL = "States.ALL";

function schemaDiagnostics(input: unknown): Diagnostic[] | undefined {
  const parsed = DslSchema.safeParse(input);
  if (parsed.success) return undefined;
  const issues = zodIssues(parsed.error);
  return parsed.error.issues.map((issue, i) => {
    let message = issues[i].message;
    if (issue.code === "invalid_union" && "discriminator" in issue) {
      message = `unknown or missing state type: use one of ${STATE_TYPES.join(", ")}`;
    } else if (issue.code === "invalid_type" && /received undefined$/.test(issue.message)) {
      message = `required field is missing (${issue.expected})`;
    }
    return { severity: "error" as const, code: "SCHEMA", message, path: issues[i].path };
  });
}

/** Walks a template value, compiling every `{% %}` string at its exact pointer. */
function checkTemplate(value: unknown, path: string, out: Diagnostic[]) {
  if (typeof value === "string") {
    if (isExpression(value)) {
      try {
        compileExpression(value.trim().slice(2, -2).trim());
      } catch (err) {
        if (err instanceof ExpressionSyntaxError) {
          out.push({ severity: "error", code: "EXPRESSION_SYNTAX", message: err.message, path });
        } else throw err;
      }
    } else if (value.includes("{%") && value.includes("%}")) {
      out.push({
        severity: "warning",
        code: "EXPRESSION_NOT_WHOLE",
        message: "this string contains {% %} but is not exactly one expression, so it is used literally; " +
          "write the whole value as {% ... %} (use & to concatenate)",
        path,
      });
    }
    return;
  }
  if (Array.isArray(value)) value.forEach((v, i) => checkTemplate(v, `${path}/${i}`, out));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      checkTemplate(v, `${path}/${k.replaceAll("~", "~0").replaceAll("/", "~1")}`, out);
    }
  }
}

function checkErrorList(
  list: { errors: string[] }[] | undefined,
  path: string,
  kind: "retry" | "catch",
  out: Diagnostic[],
) {
  list?.forEach((entry, i) => {
    if (entry.errors.includes(ALL)) {
      if (entry.errors.length > 1) {
        out.push({
          severity: "error",
          code: kind === "retry" ? "RETRY_ALL_NOT_ALONE" : "CATCH_ALL_NOT_ALONE",
          message: `${ALL} must be the only error name in its list; remove the others`,
          path: `${path}/${i}/errors`,
        });
      }
      if (i !== list.length - 1) {
        out.push({
          severity: "error",
          code: kind === "retry" ? "RETRY_ALL_NOT_LAST" : "CATCH_ALL_NOT_LAST",
          message: `the ${kind} entry with ${ALL} must come last; entries after it can never match`,
          path: `${path}/${i}`,
        });
      }
    }
  });
}

interface Ctx {
  out: Diagnostic[];
  actions: { action: string; path: string }[];
  maxDepth: number;
}

function targets(state: State): { next: string; path: string }[] {
  const t: { next: string; path: string }[] = [];
  if ("next" in state && state.next) t.push({ next: state.next, path: "/next" });
  if (state.type === "router") {
    state.routes.forEach((r, i) => t.push({ next: r.next, path: `/routes/${i}/next` }));
    if (state.default) t.push({ next: state.default, path: "/default" });
  }
  if ("catch" in state && state.catch) {
    state.catch.forEach((c, i) => t.push({ next: c.next, path: `/catch/${i}/next` }));
  }
  return t;
}

function checkState(name: string, state: State, sp: string, ctx: Ctx, depth: number) {
  const { out } = ctx;
  const hasTransition = state.type !== "router" && state.type !== "succeed" && state.type !== "fail";
  if (hasTransition) {
    const s = state as { next?: string; end?: boolean };
    if (s.next && s.end) {
      out.push({
        severity: "error",
        code: "NEXT_AND_END",
        message: `state '${name}' has both next and end: keep one`,
        path: `${sp}/end`,
      });
    } else if (!s.next && !s.end) {
      out.push({
        severity: "error",
        code: "MISSING_TRANSITION",
        message: `state '${name}' needs "next": "<state>" or "end": true`,
        path: sp,
      });
    }
  }
  if ("output" in state && state.output) {
    checkTemplate(state.output.expression, `${sp}/output/expression`, out);
  }
  if ("assign" in state && state.assign) checkTemplate(state.assign, `${sp}/assign`, out);
  if ("retry" in state) checkErrorList(state.retry, `${sp}/retry`, "retry", out);
  if ("catch" in state && state.catch) {
    checkErrorList(state.catch, `${sp}/catch`, "catch", out);
    state.catch.forEach((c, i) => {
      if (c.output) checkTemplate(c.output.expression, `${sp}/catch/${i}/output/expression`, out);
      if (c.assign) checkTemplate(c.assign, `${sp}/catch/${i}/assign`, out);
    });
  }
  switch (state.type) {
    case "task":
      if (isExpression(state.action)) {
        out.push({
          severity: "error",
          code: "ACTION_EXPRESSION",
          message: "action must be a literal name (fn:NAME, wf:NAME, act:KIND.NAME, http or a TRN)",
          path: `${sp}/action`,
        });
      } else ctx.actions.push({ action: state.action, path: `${sp}/action` });
      checkTemplate(state.parameters, `${sp}/parameters`, out);
      if (state.heartbeat !== undefined && state.timeout !== undefined && state.heartbeat >= state.timeout) {
        out.push({
          severity: "error",
          code: "HEARTBEAT_NOT_BELOW_TIMEOUT",
          message: "heartbeat must be smaller than timeout",
          path: `${sp}/heartbeat`,
        });
      }
      if (state.heartbeat !== undefined && state.mode !== "callback") {
        out.push({
          severity: "warning",
          code: "HEARTBEAT_NEEDS_CALLBACK",
          message:
            "heartbeat only applies to callback tasks (heartbeats arrive on /api/v1/tasks/{token}/heartbeat)",
          path: `${sp}/heartbeat`,
        });
      }
      break;
    case "wait": {
      const n = (state.seconds !== undefined ? 1 : 0) + (state.timestamp !== undefined ? 1 : 0);
      if (n !== 1) {
        out.push({
          severity: "error",
          code: "WAIT_SPEC",
          message: "a wait state needs exactly one of seconds or timestamp",
          path: sp,
        });
      }
      if (typeof state.seconds === "string") {
        if (!isExpression(state.seconds)) {
          out.push({
            severity: "error",
            code: "WAIT_SPEC",
            message: "seconds must be a number or a {% %} expression",
            path: `${sp}/seconds`,
          });
        } else checkTemplate(state.seconds, `${sp}/seconds`, out);
      }
      if (state.timestamp !== undefined) {
        if (!isExpression(state.timestamp) && Number.isNaN(Date.parse(state.timestamp))) {
          out.push({
            severity: "error",
            code: "WAIT_SPEC",
            message: "timestamp must be an ISO 8601 date-time or a {% %} expression",
            path: `${sp}/timestamp`,
          });
        } else checkTemplate(state.timestamp, `${sp}/timestamp`, out);
      }
      break;
    }
    case "router":
      state.routes.forEach((r, i) => {
        checkTemplate(r.condition, `${sp}/routes/${i}/condition`, out);
        if (typeof r.condition === "string" && !isExpression(r.condition)) {
          out.push({
            severity: "error",
            code: "CONDITION_NOT_EXPRESSION",
            message: "a condition must be true/false or a {% %} expression",
            path: `${sp}/routes/${i}/condition`,
          });
        }
        if (r.output) checkTemplate(r.output.expression, `${sp}/routes/${i}/output/expression`, out);
        if (r.assign) checkTemplate(r.assign, `${sp}/routes/${i}/assign`, out);
      });
      break;
    case "fail":
      checkTemplate(state.error, `${sp}/error`, out);
      checkTemplate(state.cause, `${sp}/cause`, out);
      break;
    case "parallel":
      state.branches.forEach((b, i) => checkGraph(b, `${sp}/branches/${i}`, ctx, depth + 1));
      break;
    case "map":
      checkTemplate(state.items, `${sp}/items`, out);
      checkTemplate(state.itemSelector, `${sp}/itemSelector`, out);
      checkGraph(state.processor, `${sp}/processor`, ctx, depth + 1);
      break;
  }
}

function checkGraph(graph: Graph, gp: string, ctx: Ctx, depth: number) {
  const { out } = ctx;
  if (depth > ctx.maxDepth) {
    out.push({
      severity: "error",
      code: "NESTING_TOO_DEEP",
      message:
        `parallel/map states are nested ${depth} deep; the limit is ${ctx.maxDepth} (stepflow.max_depth)`,
      path: gp,
    });
    return;
  }
  const names = Object.keys(graph.states);
  if (!(graph.entry in graph.states)) {
    out.push({
      severity: "error",
      code: "UNKNOWN_ENTRY",
      message: `entry '${graph.entry}' is not a state here; use one of: ${names.join(", ") || "(no states)"}`,
      path: `${gp}/entry`,
    });
  }
  let terminal = false;
  for (const [name, state] of Object.entries(graph.states)) {
    const sp = `${gp}/states/${name}`;
    checkState(name, state, sp, ctx, depth);
    if (state.type === "succeed" || state.type === "fail" || ("end" in state && state.end)) terminal = true;
    for (const t of targets(state)) {
      if (!(t.next in graph.states)) {
        out.push({
          severity: "error",
          code: "UNKNOWN_TARGET",
          message: `'${t.next}' is not a state in this graph; use one of: ${names.join(", ")}`,
          path: sp + t.path,
        });
      }
    }
  }
  if (!terminal) {
    out.push({
      severity: "error",
      code: "NO_TERMINAL",
      message: 'no state ends the flow: add "end": true, a succeed state or a fail state',
      path: `${gp}/states`,
    });
  }
  if (graph.entry in graph.states) {
    const seen = new Set<string>([graph.entry]);
    const queue = [graph.entry];
    while (queue.length) {
      const state = graph.states[queue.pop()!];
      for (const t of targets(state)) {
        if (t.next in graph.states && !seen.has(t.next)) {
          seen.add(t.next);
          queue.push(t.next);
        }
      }
    }
    for (const name of names) {
      if (!seen.has(name)) {
        out.push({
          severity: "error",
          code: "UNREACHABLE",
          message: `state '${name}' cannot be reached from entry '${graph.entry}': link it or remove it`,
          path: `${gp}/states/${name}`,
        });
      }
    }
  }
}

/** Validates a DSL document; `valid` is true when there is no error-level diagnostic. */
export async function validateDsl(input: unknown, options: ValidateOptions = {}): Promise<ValidationResult> {
  const schema = schemaDiagnostics(input);
  if (schema) return { valid: false, diagnostics: schema };
  await loadJsonata(); // checkGraph compiles every expression to find syntax errors
  const dsl = input as Dsl;
  const ctx: Ctx = { out: [], actions: [], maxDepth: options.maxDepth ?? 10 };
  checkGraph(dsl, "", ctx, 0);
  if (options.actionExists) {
    const checked = new Map<string, Promise<boolean>>();
    for (const { action, path } of ctx.actions) {
      if (!checked.has(action)) {
        checked.set(
          action,
          Promise.resolve(options.actionExists(action)).catch(() => false),
        );
      }
      if (!(await checked.get(action))) {
        ctx.out.push({
          severity: "error",
          code: "UNKNOWN_ACTION",
          message: `action '${action}' does not exist or no service executes it ` +
            "(use fn:NAME, wf:NAME, act:KIND.NAME, http or a full TRN of an existing resource)",
          path,
        });
      }
    }
  }
  const diagnostics = ctx.out.sort((a, b) => a.path.localeCompare(b.path));
  return { valid: !diagnostics.some((d) => d.severity === "error"), diagnostics, dsl };
}
