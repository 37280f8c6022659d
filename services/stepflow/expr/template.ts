/**
 * JSONata templating: any string that is exactly `{% expr %}` becomes the expression's value
 * (any JSON type); every other value is copied as is. Templates are compiled once into a
 * tree of closures, so evaluating a template walks only its dynamic parts.
 */
import { jsonata, type JsonataExpression, jsonataLoaded, loadJsonata } from "../../../runtime/jsonata.ts";

const EXPR_RE = /^\s*\{%([\s\S]*)%\}\s*$/;

/** True when a string is a whole `{% … %}` expression. */
export function isExpression(value: unknown): boolean {
  return typeof value === "string" && EXPR_RE.test(value);
}

/** Extracts the JSONata source from `{% … %}`. */
export function expressionSource(value: string): string {
  return EXPR_RE.exec(value)![1].trim();
}

/**
 * `$secret.name` is sugar for `$secret('name')` (backticked names allowed:
 * `$secret.\`db-password\``), so `$secret` can be one async function.
 */
export function desugar(source: string): string {
  return source.replace(/\$secret\.(`[^`]+`|[A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    const bare = name.startsWith("`") ? name.slice(1, -1) : name;
    return `$secret(${JSON.stringify(bare)})`;
  });
}

/** A syntax error in one expression, with where it sits in the document. */
export class ExpressionSyntaxError extends Error {
  constructor(readonly expression: string, readonly reason: string, readonly position?: number) {
    super(
      `invalid JSONata ${JSON.stringify(expression)}: ${reason}${
        position !== undefined ? ` (at ${position})` : ""
      }`,
    );
  }
}

/** A runtime failure evaluating one expression (→ States.QueryEvaluationError). */
export class ExpressionEvalError extends Error {
  constructor(readonly expression: string, readonly reason: string) {
    super(`${reason} in {% ${expression} %}`);
  }
}

export interface Bindings {
  /** `$secret(name, stage?)`: a CredVault value (stage current|pending|previous). */
  secret?: (name: string, stage?: string) => Promise<unknown>;
  /** `$param(path)`: a ParamStore value. */
  param?: (path: string) => Promise<unknown>;
}

export type Evaluate = (data: unknown, bindings?: Bindings) => Promise<unknown>;

export interface CompiledTemplate {
  /** True when the template has no expression: evaluate() returns `constant`. */
  readonly isConstant: boolean;
  readonly constant?: unknown;
  readonly evaluate: Evaluate;
  /** Every expression source inside, for diagnostics. */
  readonly expressions: string[];
}

const PATH_RE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const KEYWORDS = new Set(["and", "or", "in", "true", "false", "null"]);
/** Marks "this path needs full JSONata semantics" (arrays map over steps, sequences flatten). */
const NOT_SIMPLE = Symbol("not simple");

/**
 * The most common expression, a plain field path (`input.orderId`), walked directly. Only
 * plain objects are walked; an array or a function anywhere on the way (where JSONata maps or
 * flattens) falls back to JSONata, so results are identical.
 */
function simplePath(source: string): ((data: unknown) => unknown) | undefined {
  if (!PATH_RE.test(source)) return undefined;
  const steps = source.split(".");
  if (steps.some((s) => KEYWORDS.has(s))) return undefined;
  return (data) => {
    let v = data;
    for (const step of steps) {
      if (v === null || v === undefined) return undefined;
      if (typeof v !== "object") return undefined;
      if (Array.isArray(v)) return NOT_SIMPLE;
      v = (v as Record<string, unknown>)[step];
    }
    if (typeof v === "function" || Array.isArray(v)) return NOT_SIMPLE;
    return v;
  };
}

function parse(source: string): JsonataExpression {
  try {
    return jsonata()(desugar(source));
  } catch (err) {
    const e = err as { message?: string; position?: number };
    throw new ExpressionSyntaxError(source, e.message ?? String(err), e.position);
  }
}

/**
 * Compiles one expression source; throws ExpressionSyntaxError. Before JSONata is loaded (a
 * flow compiled for a stored, already validated template) parsing waits for the first
 * evaluation; validateDsl loads JSONata first, so syntax errors are still found at validation.
 */
export function compileExpression(source: string): Evaluate {
  let expr = jsonataLoaded() ? parse(source) : undefined;
  const fast = simplePath(source);
  return async (data, bindings) => {
    if (fast) {
      const v = fast(data);
      if (v !== NOT_SIMPLE) return v;
    }
    if (!expr) {
      await loadJsonata();
      try {
        expr = parse(source);
      } catch (err) {
        throw new ExpressionEvalError(source, (err as Error).message);
      }
    }
    try {
      return await expr.evaluate(data, bindings as Record<string, unknown>);
    } catch (err) {
      if (err instanceof ExpressionEvalError) throw err;
      const e = err as { message?: string; cause?: unknown };
      throw new ExpressionEvalError(source, e.message ?? String(err));
    }
  };
}

/** JSONata results can carry non-JSON decorations (sequence flags, functions); make plain JSON. */
function plain(value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (typeof value === "function") return undefined;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) {
      const p = plain(v);
      if (p !== undefined) out.push(p);
    }
    return out;
  }
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const p = plain(v);
      if (p !== undefined) out[k] = p;
    }
    return out;
  }
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}

const constant = (value: unknown): CompiledTemplate => ({
  isConstant: true,
  constant: value,
  evaluate: () => Promise.resolve(value),
  expressions: [],
});

/** Compiles a template value; throws ExpressionSyntaxError for the first bad expression. */
export function compileTemplate(value: unknown): CompiledTemplate {
  if (typeof value === "string") {
    if (!isExpression(value)) return constant(value);
    const source = expressionSource(value);
    const run = compileExpression(source);
    return { isConstant: false, evaluate: async (d, b) => plain(await run(d, b)), expressions: [source] };
  }
  if (Array.isArray(value)) {
    const parts = value.map(compileTemplate);
    if (parts.every((p) => p.isConstant)) return constant(value);
    return {
      isConstant: false,
      expressions: parts.flatMap((p) => p.expressions),
      async evaluate(d, b) {
        const out: unknown[] = [];
        for (const p of parts) {
          const v = p.isConstant ? p.constant : await p.evaluate(d, b);
          // An element that evaluates to nothing stays in place as null, so indexes are stable.
          out.push(v === undefined ? null : v);
        }
        return out;
      },
    };
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => [k, compileTemplate(v)] as const);
    if (entries.every(([, p]) => p.isConstant)) return constant(value);
    return {
      isConstant: false,
      expressions: entries.flatMap(([, p]) => p.expressions),
      async evaluate(d, b) {
        const out: Record<string, unknown> = {};
        for (const [k, p] of entries) {
          const v = p.isConstant ? p.constant : await p.evaluate(d, b);
          // A field whose expression matches nothing is omitted (JSONata's undefined).
          if (v !== undefined) out[k] = v;
        }
        return out;
      },
    };
  }
  return constant(value);
}
