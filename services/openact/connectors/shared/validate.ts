/**
 * Settings and input validation with errors that name the field (JSON pointer) and the fix,
 * plus credential helpers: the password/token always comes from connection.credential.
 */
import type { z } from "zod";
import { validationFromZod } from "../../../../runtime/http/problem.ts";
import type { OperationSpec, ResolvedConnection } from "../types.ts";
import { UnknownOperationError } from "./errors.ts";

export function parseSettings<S extends z.ZodType>(schema: S, connection: ResolvedConnection): z.output<S> {
  const result = schema.safeParse(connection.settings ?? {});
  if (!result.success) throw validationFromZod(result.error, "/settings");
  return result.data;
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix = "/input"): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw validationFromZod(result.error, prefix);
  return result.data;
}

/** Looks up an operation and validates its input. */
export function operationInput(
  kind: string,
  operations: Record<string, OperationSpec>,
  operation: string,
  input: unknown,
): unknown {
  const spec = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
  if (!spec) throw new UnknownOperationError(kind, operation, Object.keys(operations));
  return parseInput(spec.input, input);
}

export interface UserPass {
  username?: string;
  password?: string;
  token?: string;
}

/**
 * Reads a credential value: a plain string is a password (or token); an object may carry
 * username/user, password/pass, token.
 */
export function userPass(credential: unknown): UserPass {
  if (credential === undefined || credential === null || credential === "") return {};
  if (typeof credential === "string") return { password: credential };
  if (typeof credential === "object") {
    const c = credential as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === "string" ? v : undefined);
    return {
      username: str(c.username) ?? str(c.user),
      password: str(c.password) ?? str(c.pass),
      token: str(c.token),
    };
  }
  return {};
}
