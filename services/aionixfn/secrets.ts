/**
 * Secret references in a function's `env`: `{"secretRef": "db-password", "stage"?: "pending"}`.
 * Only the reference is stored (SQLite, GET, list, versions); the value is read from CredVault
 * through the executor bus at every invocation — no cache across invocations, so a rotation
 * takes effect on the next call — and handed to the sandbox with the function's plain env.
 *
 * Warm workers/processes get their env when they start, so an invocation whose resolved values
 * differ from the last ones runs in a separate pool: its key is the configuration's key plus an
 * HMAC of the values under a per-process random key (not reversible, not comparable across
 * restarts). The previous pool of the configuration is evicted when the values change.
 */
import type { ExecutorBus } from "../../runtime/bus.ts";
import { AppError, NotFoundError, ValidationError } from "../../runtime/errors.ts";
import { formatTrn, isTrn, parseTrn } from "../../runtime/trn.ts";
import type { FunctionErrorInfo } from "../../runtime/sandbox/mod.ts";
import type { EnvValue, SecretRef } from "./types.ts";

export const SECRET_STAGES = ["current", "pending", "previous"] as const;
export const SECRET_ERRORS = {
  notFound: "Runtime.SecretNotFound",
  failed: "Runtime.SecretResolutionFailed",
} as const;

export function isSecretRef(value: EnvValue): value is SecretRef {
  return typeof value === "object" && value !== null;
}

export function hasSecretRefs(env: Record<string, EnvValue>): boolean {
  return Object.values(env).some(isSecretRef);
}

/** The plain (non-secret) variables. */
export function plainEnv(env: Record<string, EnvValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (!isSecretRef(v)) out[k] = v;
  return out;
}

/** A reference given as a TRN must point into the function's own tenant (400 naming `/env/KEY`). */
export function checkSecretRefs(tenant: string, env: Record<string, EnvValue> | undefined): void {
  const issues: { path: string; message: string }[] = [];
  for (const [key, value] of Object.entries(env ?? {})) {
    if (!isSecretRef(value) || !isTrn(value.secretRef)) continue;
    const trn = parseTrn(value.secretRef);
    if (trn.tenant !== tenant) {
      issues.push({
        path: `/env/${key}`,
        message:
          `secret '${value.secretRef}' belongs to tenant '${trn.tenant}': reference a secret of tenant '${tenant}'`,
      });
    }
  }
  if (issues.length) throw new ValidationError(issues);
}

export function secretTrn(tenant: string, ref: SecretRef): string {
  return isTrn(ref.secretRef)
    ? ref.secretRef
    : formatTrn({ service: "credvault", tenant, type: "credential", path: ref.secretRef });
}

/** A secret could not be read; the invocation fails with this function-style error (no value in it). */
export class SecretResolutionError extends Error {
  constructor(readonly info: FunctionErrorInfo) {
    super(`${info.errorType}: ${info.errorMessage}`);
  }
}

/**
 * Reads every referenced secret of `env` (in parallel) and returns the full environment:
 * plain values plus resolved secrets (strings as is, objects JSON-encoded).
 */
export async function resolveEnv(
  bus: ExecutorBus,
  tenant: string,
  env: Record<string, EnvValue>,
  caller: { functionName: string; requestId: string; signal?: AbortSignal; deadline?: number },
): Promise<{ env: Record<string, string>; secrets: string[] }> {
  const out = plainEnv(env);
  const secrets: string[] = [];
  await Promise.all(
    Object.entries(env).map(async ([key, value]) => {
      if (!isSecretRef(value)) return;
      const stage = value.stage ?? "current";
      const where = `environment variable ${key}: secret '${value.secretRef}' (stage ${stage})`;
      let resolved: unknown;
      try {
        resolved = await bus.execute(secretTrn(tenant, value), tenant, {
          operation: "resolve",
          input: { stage },
          signal: caller.signal,
          deadline: caller.deadline,
          caller: { service: "aionixfn", execution: `fn:${caller.functionName}/${caller.requestId}` },
        });
      } catch (err) {
        if (err instanceof NotFoundError) {
          throw new SecretResolutionError({
            errorType: SECRET_ERRORS.notFound,
            errorMessage: `${where} was not found in CredVault: create it, or fix the reference`,
            stack: [],
          });
        }
        // CredVault's own messages name secrets and versions, never values; other errors are summarised.
        const reason = err instanceof AppError ? err.message : "it could not be read";
        throw new SecretResolutionError({
          errorType: SECRET_ERRORS.failed,
          errorMessage: `${where} could not be resolved: ${reason}`,
          stack: [],
        });
      }
      const text = typeof resolved === "string" ? resolved : JSON.stringify(resolved ?? null);
      out[key] = text;
      secrets.push(text);
    }),
  );
  return { env: out, secrets };
}

// importKey of random bytes: generateKey("HMAC") costs ~20 ms in Deno, and this runs at start.
const hmacKey = crypto.subtle.importKey(
  "raw",
  crypto.getRandomValues(new Uint8Array(32)),
  { name: "HMAC", hash: "SHA-256" },
  false,
  ["sign"],
);

/** A short, non-reversible fingerprint of resolved values (per-process key) for pool keys. */
export async function fingerprint(values: Record<string, string>): Promise<string> {
  const data = new TextEncoder().encode(JSON.stringify(Object.entries(values).sort()));
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey, data));
  return Array.from(mac.subarray(0, 12), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Shortest secret value that is masked in logs and errors (shorter ones would mask ordinary text). */
const MIN_MASKED = 6;

/** Replaces resolved secret values in text (function log lines, error messages) with `***`. */
export function masker(secrets: string[]): (text: string) => string {
  const values = [...new Set(secrets.filter((s) => s.length >= MIN_MASKED))].sort((a, b) =>
    b.length - a.length
  );
  if (!values.length) return (text) => text;
  return (text) => {
    let out = text;
    for (const v of values) if (out.includes(v)) out = out.replaceAll(v, "***");
    return out;
  };
}
