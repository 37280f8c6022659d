/**
 * Input transforms: a JSON template in which any string that is exactly `{% expr %}` is
 * replaced by the JSONata value of expr over the trigger payload (the DSL's convention).
 */
import { jsonata, type JsonataExpression, loadJsonata } from "../../runtime/jsonata.ts";
import { BadRequestError, type FieldIssue, ValidationError } from "../../runtime/errors.ts";

const EXPR_RE = /^\{%([\s\S]*)%\}$/;
type Compiled = JsonataExpression;
const cache = new Map<string, Compiled>();

function compile(expr: string): Compiled {
  let c = cache.get(expr);
  if (!c) {
    c = jsonata()(expr);
    if (cache.size > 2000) cache.clear();
    cache.set(expr, c);
  }
  return c;
}

function walk(node: unknown, path: string, visit: (expr: string, path: string) => void): void {
  if (typeof node === "string") {
    const m = EXPR_RE.exec(node.trim());
    if (m) visit(m[1].trim(), path);
  } else if (Array.isArray(node)) node.forEach((v, i) => walk(v, `${path}/${i}`, visit));
  else if (node !== null && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      walk(v, `${path}/${k.replaceAll("~", "~0").replaceAll("/", "~1")}`, visit);
    }
  }
}

/** Compiles every expression of a template; throws ValidationError naming each broken one. */
export function validateTransform(template: unknown, where = "/inputTransform"): void {
  const issues: FieldIssue[] = [];
  walk(template, where, (expr, path) => {
    try {
      compile(expr);
    } catch (err) {
      issues.push({
        path,
        message: `invalid JSONata: ${(err as Error).message}`,
        code: "invalid_expression",
      });
    }
  });
  if (issues.length) throw new ValidationError(issues);
}

async function evaluate(node: unknown, payload: unknown, path: string): Promise<unknown> {
  if (typeof node === "string") {
    const m = EXPR_RE.exec(node.trim());
    if (!m) return node;
    try {
      return await compile(m[1].trim()).evaluate(payload);
    } catch (err) {
      throw new BadRequestError(`input transform ${path || "/"}: ${(err as Error).message}`);
    }
  }
  if (Array.isArray(node)) return await Promise.all(node.map((v, i) => evaluate(v, payload, `${path}/${i}`)));
  if (node !== null && typeof node === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      const value = await evaluate(v, payload, `${path}/${k}`);
      if (value !== undefined) out[k] = value;
    }
    return out;
  }
  return node;
}

/** Applies a template to a payload; no template → the payload itself. */
export async function applyTransform(template: unknown, payload: unknown): Promise<unknown> {
  if (template === undefined || template === null) return payload;
  await loadJsonata();
  return await evaluate(template, payload, "");
}
