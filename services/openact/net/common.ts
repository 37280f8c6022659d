/** Pieces shared by the HTTP-style connectors (http, graphql, slack, discord). */
import { z } from "zod";
import { GatewayTimeoutError } from "../../../runtime/errors.ts";
import { AuthExpiredError, ConnectorError } from "../errors.ts";

export const AuthSettings = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("none") }),
  z.strictObject({
    type: z.literal("bearer"),
  }).describe("Authorization: Bearer <credential>"),
  z.strictObject({
    type: z.literal("basic"),
    username: z.string().optional().describe("Username; or store {username, password} as the credential"),
  }),
  z.strictObject({
    type: z.literal("apiKey"),
    in: z.enum(["header", "query"]).default("header"),
    name: z.string().min(1).default("x-api-key").describe("Header or query parameter name"),
  }),
  z.strictObject({
    type: z.literal("oauth2"),
    grant: z.enum(["authorization_code", "client_credentials"]).default("authorization_code"),
    tokenUrl: z.url(),
    authorizeUrl: z.url().optional().describe("Needed for the authorization_code grant"),
    clientId: z.string().min(1),
    clientSecretCredential: z.string().optional().describe(
      "CredVault credential holding the client secret (omit for public clients using PKCE)",
    ),
    scopes: z.array(z.string()).default([]),
    audience: z.string().optional(),
    redirectUri: z.url().optional().describe("Overrides <server>/api/v1/authflow/callback"),
    allowPrivateNetwork: z.boolean().default(false).describe("Allow a token endpoint on a private address"),
  }),
]);
export type AuthSettings = z.infer<typeof AuthSettings>;

function pick(value: unknown, ...keys: string[]): string | undefined {
  if (typeof value === "string") return value;
  if (value && typeof value === "object") {
    for (const k of keys) {
      const v = (value as Record<string, unknown>)[k];
      if (typeof v === "string" && v) return v;
    }
  }
  return undefined;
}

/** The access token inside an oauth_token credential (camelCase or snake_case fields). */
export const accessTokenOf = (credential: unknown) =>
  pick(credential, "accessToken", "access_token", "token");

/** Adds the connection's authentication to headers/url. Missing credentials are a clear 400. */
export function applyAuth(
  kind: string,
  auth: AuthSettings | undefined,
  credential: unknown,
  headers: Headers,
  url: URL,
) {
  if (!auth || auth.type === "none") return;
  const need = (what: string) =>
    new ConnectorError(
      kind,
      `auth type '${auth.type}' needs ${what} in the connection's credential: set the connection's credential to a CredVault secret`,
      "MissingCredential",
    );
  switch (auth.type) {
    case "bearer": {
      const token = pick(credential, "token", "apiKey", "accessToken", "access_token", "value");
      if (!token) throw need("a token");
      headers.set("authorization", `Bearer ${token}`);
      return;
    }
    case "basic": {
      const username = auth.username ?? pick(credential, "username", "user");
      const password = pick(credential, "password", "value");
      if (username === undefined || password === undefined) throw need("a username and password");
      headers.set("authorization", `Basic ${btoa(unescape(encodeURIComponent(`${username}:${password}`)))}`);
      return;
    }
    case "apiKey": {
      const key = pick(credential, "apiKey", "api_key", "key", "value", "token");
      if (!key) throw need("an API key");
      if (auth.in === "query") url.searchParams.set(auth.name, key);
      else headers.set(auth.name, key);
      return;
    }
    case "oauth2": {
      const token = accessTokenOf(credential);
      if (!token) {
        throw new AuthExpiredError(
          "the connection has no OAuth2 access token yet: run 'aio act auth start <connection>' first",
        );
      }
      const type = pick(credential, "tokenType", "token_type");
      headers.set("authorization", `${type && type.toLowerCase() !== "bearer" ? type : "Bearer"} ${token}`);
      return;
    }
  }
}

/** A signal that aborts on the caller's signal or after timeoutMs; `timedOut()` tells which. */
export function deadlineSignal(signal: AbortSignal, timeoutMs: number) {
  const timeout = AbortSignal.timeout(Math.max(1, timeoutMs));
  return {
    signal: AbortSignal.any([signal, timeout]),
    timedOut: () => timeout.aborted && !signal.aborted,
  };
}

/** Converts an abort into the right error: a timeout is 504, a caller abort keeps its reason. */
export function abortError(
  kind: string,
  timedOut: boolean,
  timeoutMs: number,
  signal: AbortSignal,
  err: unknown,
) {
  if (timedOut) return new GatewayTimeoutError(`${kind}: no answer within ${timeoutMs} ms`);
  if (signal.aborted) {
    return signal.reason instanceof Error ? signal.reason : new GatewayTimeoutError(`${kind}: cancelled`);
  }
  return err;
}

export type ResponseType = "auto" | "json" | "text" | "base64";

const BINARY_RE = /octet-stream|^image\/|^audio\/|^video\/|pdf|zip|protobuf/i;

/** Reads a response body as JSON (when it says so), text, or base64 for binary content. */
export async function readBody(res: Response, type: ResponseType = "auto"): Promise<unknown> {
  const ct = res.headers.get("content-type") ?? "";
  if (type === "base64" || (type === "auto" && BINARY_RE.test(ct))) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }
  const text = await res.text();
  if (type === "text") return text;
  if (type === "json" || /[/+]json\b/i.test(ct)) {
    if (text === "") return null;
    try {
      return JSON.parse(text);
    } catch (err) {
      if (type === "json") {
        throw new ConnectorError("http", `response is not valid JSON: ${(err as Error).message}`);
      }
      return text;
    }
  }
  return text;
}

export function headersObject(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((v, k) => {
    if (k !== "set-cookie") out[k] = v;
  });
  return out;
}

/** An upstream answered with a non-success status. */
export class HttpStatusError extends ConnectorError {
  constructor(kind: string, readonly statusCode: number, message: string, readonly body: unknown) {
    super(kind, message, `HTTP_${statusCode}`);
  }
  override extra() {
    const text = typeof this.body === "string" ? this.body : JSON.stringify(this.body ?? null);
    return { ...super.extra(), upstreamStatus: this.statusCode, upstreamBody: text.slice(0, 2048) };
  }
}
