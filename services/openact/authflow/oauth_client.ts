/** OAuth2 client side: PKCE (S256) and token endpoint requests (code, refresh, client credentials). */
import { randomSecret } from "../../../runtime/ids.ts";
import { ConnectorError } from "../errors.ts";
import { guardedFetch } from "../net/ssrf.ts";
import type { AuthSettings } from "../net/common.ts";

export type OAuth2Settings = Extract<AuthSettings, { type: "oauth2" }>;

/** The token as stored in CredVault (its oauth_token shape). */
export interface StoredToken {
  accessToken: string;
  refreshToken?: string;
  tokenType?: string;
  scope?: string;
  expiresAt?: string;
}

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = randomSecret(48); // 64 characters of [A-Za-z0-9_-], within RFC 7636's 43–128
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  return { verifier, challenge: b64url(digest) };
}

export function authorizeUrl(
  auth: OAuth2Settings,
  p: { redirectUri: string; state: string; challenge: string },
): string {
  if (!auth.authorizeUrl) throw new Error("authorizeUrl missing");
  const url = new URL(auth.authorizeUrl);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", auth.clientId);
  url.searchParams.set("redirect_uri", p.redirectUri);
  url.searchParams.set("state", p.state);
  url.searchParams.set("code_challenge", p.challenge);
  url.searchParams.set("code_challenge_method", "S256");
  if (auth.scopes.length) url.searchParams.set("scope", auth.scopes.join(" "));
  if (auth.audience) url.searchParams.set("audience", auth.audience);
  return url.href;
}

export interface TokenRequestOptions {
  clientSecret?: string;
  allowPrivateNetwork: boolean;
  now: number;
  signal?: AbortSignal;
  /** The current token, whose refresh token is kept when the server sends no new one. */
  previous?: StoredToken;
}

/** POSTs a grant to the token endpoint and returns the token in CredVault's shape. */
export async function requestToken(
  auth: OAuth2Settings,
  grant: Record<string, string>,
  options: TokenRequestOptions,
): Promise<StoredToken> {
  const form = new URLSearchParams(grant);
  const headers = new Headers({
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  });
  if (options.clientSecret) {
    // client_secret_basic (RFC 6749 §2.3.1): both parts form-url-encoded, then base64.
    const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
    headers.set("authorization", `Basic ${btoa(`${enc(auth.clientId)}:${enc(options.clientSecret)}`)}`);
  } else form.set("client_id", auth.clientId);
  if (grant.grant_type === "client_credentials") {
    if (auth.scopes.length) form.set("scope", auth.scopes.join(" "));
    if (auth.audience) form.set("audience", auth.audience);
  }
  const signal = AbortSignal.any([AbortSignal.timeout(15_000), ...(options.signal ? [options.signal] : [])]);
  let res: Response;
  try {
    res = await guardedFetch(auth.tokenUrl, { method: "POST", headers, body: form.toString(), signal }, {
      allowPrivateNetwork: options.allowPrivateNetwork,
      maxRedirects: 0,
    });
  } catch (err) {
    if (err instanceof TypeError || (err as Error).name === "TimeoutError") {
      throw new ConnectorError(
        "authflow",
        `the token endpoint is unreachable: ${(err as Error).message}`,
        "TokenEndpoint",
      );
    }
    throw err;
  }
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch {
    body = Object.fromEntries(new URLSearchParams(text));
  }
  if (!res.ok || typeof body.access_token !== "string") {
    const code = typeof body.error === "string" ? body.error : `HTTP ${res.status}`;
    const desc = typeof body.error_description === "string"
      ? `: ${body.error_description.slice(0, 300)}`
      : "";
    throw new ConnectorError(
      "authflow",
      `the token endpoint refused the ${grant.grant_type} grant (${code}${desc})`,
      typeof body.error === "string" ? body.error : "TokenEndpoint",
    );
  }
  const token: StoredToken = { accessToken: body.access_token };
  const refresh = typeof body.refresh_token === "string"
    ? body.refresh_token
    : options.previous?.refreshToken;
  if (refresh) token.refreshToken = refresh;
  if (typeof body.token_type === "string") token.tokenType = body.token_type;
  const scope = typeof body.scope === "string" ? body.scope : options.previous?.scope;
  if (scope) token.scope = scope;
  const expiresIn = Number(body.expires_in);
  if (Number.isFinite(expiresIn) && expiresIn > 0) {
    token.expiresAt = new Date(options.now + expiresIn * 1000).toISOString();
  }
  return token;
}
