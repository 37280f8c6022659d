/**
 * Parameter values: checked against the type when written (an expression is compiled, and
 * checked after evaluation), and against the optional allowed pattern.
 */
import { jsonata } from "../../runtime/jsonata.ts";
import { ValidationError } from "../../runtime/errors.ts";
import { resolveName } from "../../runtime/trn.ts";
import type { ParamType } from "./types.ts";

export const MAX_VALUE_BYTES = 32 * 1024;
const EXPR_RE = /^\{%([\s\S]*)%\}$/;

const bad = (message: string, where = "/value") => new ValidationError([{ path: where, message }]);

/** The JSONata source of a `{% expr %}` value, or undefined for a plain value. */
export function expressionOf(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const m = EXPR_RE.exec(value.trim());
  return m ? m[1].trim() : undefined;
}

export function checkPattern(pattern: string): RegExp {
  if (pattern.length > 1024) throw bad("allowedPattern is at most 1024 characters", "/allowedPattern");
  try {
    return new RegExp(pattern, "u");
  } catch (err) {
    throw bad(
      `allowedPattern is not a valid regular expression: ${(err as Error).message}`,
      "/allowedPattern",
    );
  }
}

/** Converts a (possibly string) input to the type; `where` names the field in errors. */
export function coerce(type: ParamType, input: unknown, where = "/value", tenant?: string): unknown {
  switch (type) {
    case "string":
      if (typeof input === "string") return input;
      if (typeof input === "number" || typeof input === "boolean") return String(input);
      throw bad("a string parameter takes a string", where);
    case "number": {
      if (typeof input === "number" && Number.isFinite(input)) return input;
      if (typeof input === "string" && input.trim() !== "" && Number.isFinite(Number(input))) {
        return Number(input);
      }
      throw bad("a number parameter takes a finite number, e.g. 30 or 2.5", where);
    }
    case "boolean":
      if (typeof input === "boolean") return input;
      if (input === "true" || input === "false") return input === "true";
      throw bad("a boolean parameter takes true or false", where);
    case "json":
      if (typeof input !== "string") return input;
      try {
        return JSON.parse(input);
      } catch {
        throw bad('a json parameter takes JSON text, e.g. {"retries": 3}', where);
      }
    case "string_list": {
      const list = typeof input === "string" ? input.split(",").map((s) => s.trim()) : input;
      if (!Array.isArray(list) || list.some((s) => typeof s !== "string")) {
        throw bad("a string_list parameter takes a list of strings or comma-separated text", where);
      }
      if (list.some((s) => s.includes(","))) throw bad("string_list items cannot contain ','", where);
      return list;
    }
    case "secret_ref": {
      if (typeof input !== "string" || input === "") {
        throw bad(
          "a secret_ref parameter takes a CredVault secret name or trn:credvault:…:credential/NAME",
          where,
        );
      }
      const trn = resolveName(input, {
        service: "credvault",
        type: "credential",
        tenant: tenant ?? "default",
        qualifiers: false,
      });
      if (trn.foreignTenant) throw bad("a secret_ref must point to a secret in this tenant", where);
      return `trn:credvault:${trn.tenant}:credential/${trn.path}`;
    }
  }
}

/** Checks a plain value against an allowed pattern (strings, list items, numbers/booleans as text). */
export function matchPattern(
  type: ParamType,
  value: unknown,
  pattern: string | undefined | null,
  where = "/value",
) {
  if (!pattern) return;
  const re = checkPattern(pattern);
  const texts = type === "string_list"
    ? value as string[]
    : [typeof value === "string" ? value : JSON.stringify(value)];
  for (const t of texts) {
    if (!re.test(t)) throw bad(`the value does not match allowedPattern ${pattern}`, where);
  }
}

/** Validates a value to store; returns it normalised (expressions stay source strings). */
export function checkValue(
  type: ParamType,
  input: unknown,
  options: { allowedPattern?: string | null; tenant: string; where?: string },
): unknown {
  const where = options.where ?? "/value";
  if (input === undefined || input === null) throw bad("a value is required", where);
  const expr = expressionOf(input);
  let value: unknown;
  if (expr !== undefined) {
    if (type === "secret_ref") throw bad("a secret_ref cannot be an expression", where);
    try {
      jsonata()(expr); // loaded by the route group / bus entry point
    } catch (err) {
      throw bad(`the expression does not compile: ${(err as Error).message}`, where);
    }
    value = (input as string).trim();
  } else {
    value = coerce(type, input, where, options.tenant);
    matchPattern(type, value, options.allowedPattern, where);
  }
  if (new TextEncoder().encode(JSON.stringify(value)).length > MAX_VALUE_BYTES) {
    throw bad(`the value is larger than ${MAX_VALUE_BYTES} bytes`, where);
  }
  return value;
}
