/**
 * Validates a secret value against its type and derives the non-secret metadata shown by `get`.
 * Error messages describe the problem, never the value.
 */
import { ValidationError } from "../../runtime/errors.ts";
import { CertificateParseError, parseCertificate } from "./certificate.ts";
import type { SecretType, VersionMeta } from "./types.ts";

export const MAX_VALUE_BYTES = 64 * 1024;

const bad = (message: string) => new ValidationError([{ path: "/value", message }]);

function asObject(value: unknown, type: SecretType): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    // Never echo the parser's message: it quotes the input.
    throw bad(`a ${type} value must be JSON (an object); the given string is not valid JSON`);
  }
}

const OAUTH_KEYS = new Set(["accessToken", "refreshToken", "expiresAt", "expiresIn", "tokenType", "scope"]);

function checkOAuth(value: unknown, now: number): { value: Record<string, unknown>; meta: VersionMeta } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw bad(
      "an oauth_token value must be an object {accessToken, refreshToken?, expiresAt?|expiresIn?, tokenType?, scope?}",
    );
  }
  const v = { ...(value as Record<string, unknown>) };
  for (const key of Object.keys(v)) {
    if (!OAUTH_KEYS.has(key)) {
      throw bad(
        // The key is part of the secret value: name the allowed fields, never the given one.
        "an oauth_token value has an unknown field: use accessToken, refreshToken, expiresAt, expiresIn, tokenType, scope",
      );
    }
  }
  if (typeof v.accessToken !== "string" || v.accessToken === "") {
    throw bad("oauth_token needs a non-empty string accessToken");
  }
  if (v.refreshToken !== undefined && typeof v.refreshToken !== "string") {
    throw bad("refreshToken must be a string");
  }
  if (v.tokenType !== undefined && typeof v.tokenType !== "string") throw bad("tokenType must be a string");
  if (v.scope !== undefined && typeof v.scope !== "string") throw bad("scope must be a string");
  if (v.expiresIn !== undefined) {
    if (typeof v.expiresIn !== "number" || !(v.expiresIn > 0)) {
      throw bad("expiresIn must be a positive number of seconds");
    }
    v.expiresAt = new Date(now + v.expiresIn * 1000).toISOString();
    delete v.expiresIn;
  }
  if (
    v.expiresAt !== undefined && (typeof v.expiresAt !== "string" || Number.isNaN(Date.parse(v.expiresAt)))
  ) {
    throw bad("expiresAt must be an ISO 8601 time");
  }
  return {
    value: v,
    meta: {
      oauth: {
        ...(v.expiresAt ? { expiresAt: new Date(v.expiresAt as string).toISOString() } : {}),
        ...(v.tokenType ? { tokenType: v.tokenType as string } : {}),
        ...(v.scope ? { scope: v.scope as string } : {}),
        hasRefreshToken: typeof v.refreshToken === "string",
      },
    },
  };
}

/** Returns the value to store (normalised) and its metadata; throws ValidationError on /value. */
export function checkValue(
  type: SecretType,
  input: unknown,
  now: number,
): { value: unknown; meta: VersionMeta } {
  if (input === undefined || input === null) throw bad("a value is required");
  let result: { value: unknown; meta: VersionMeta };
  switch (type) {
    case "api_key":
    case "password":
      if (typeof input !== "string") throw bad(`a ${type} value must be a string`);
      if (input.length === 0) throw bad(`a ${type} value must not be empty`);
      result = { value: input, meta: {} };
      break;
    case "certificate": {
      if (typeof input !== "string") throw bad("a certificate value must be PEM text");
      try {
        result = { value: input, meta: { certificate: parseCertificate(input, now) } };
      } catch (err) {
        if (err instanceof CertificateParseError) throw bad(`not a valid PEM certificate: ${err.message}`);
        throw err;
      }
      break;
    }
    case "oauth_token":
      result = checkOAuth(asObject(input, type), now);
      break;
    case "generic": {
      const value = asObject(input, type);
      if (value === null || typeof value !== "object") {
        throw bad("a generic value must be a JSON object or array");
      }
      result = { value, meta: {} };
      break;
    }
  }
  if (new TextEncoder().encode(JSON.stringify(result.value)).length > MAX_VALUE_BYTES) {
    throw bad(`the value is larger than ${MAX_VALUE_BYTES} bytes`);
  }
  return result;
}
