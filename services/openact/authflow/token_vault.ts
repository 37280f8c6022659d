/**
 * Where AuthFlow keeps tokens: CredVault `oauth_token` credentials. CredVault's bus executor only
 * reads, so writes go through its REST API in-process (`app.request`), authenticated with a
 * short-lived operator token for the tenant that this module mints and keeps in memory only.
 */
import type { RootApp } from "../../../runtime/http/app.ts";
import type { TokenService } from "../../../runtime/auth.ts";
import { ConnectorError } from "../errors.ts";
import type { StoredToken } from "./oauth_client.ts";

export interface TokenVault {
  /** Stores the token as the credential's new current version (creating the credential if needed). */
  write(tenant: string, name: string, token: StoredToken, description: string): Promise<void>;
}

const TOKEN_TTL_MS = 60 * 60_000;

export class RestTokenVault implements TokenVault {
  #tokens = new Map<string, { token: string; expiresAt: number }>();

  constructor(private app: RootApp, private tokens: TokenService, private now: () => number) {}

  async #serviceToken(tenant: string): Promise<string> {
    const hit = this.#tokens.get(tenant);
    if (hit && hit.expiresAt - this.now() > 5 * 60_000) return hit.token;
    const expiresAt = this.now() + TOKEN_TTL_MS;
    const { token } = await this.tokens.create({
      name: "openact-authflow",
      role: "operator",
      tenant,
      expiresAt: new Date(expiresAt).toISOString(),
    });
    this.#tokens.set(tenant, { token, expiresAt });
    return token;
  }

  async #call(tenant: string, method: string, path: string, body: unknown): Promise<Response> {
    return await this.app.request(path, {
      method,
      headers: {
        host: "127.0.0.1",
        authorization: `Bearer ${await this.#serviceToken(tenant)}`,
        "x-aionix-tenant": tenant,
        "content-type": "application/json",
      },
      body: JSON.stringify(body),
    });
  }

  async write(tenant: string, name: string, token: StoredToken, description: string): Promise<void> {
    const path = `/api/v1/secrets/${encodeURIComponent(name)}`;
    let res = await this.#call(tenant, "POST", `${path}/versions`, { value: token, stage: "current" });
    if (res.status === 404) {
      await res.body?.cancel();
      res = await this.#call(tenant, "POST", "/api/v1/secrets", {
        name,
        type: "oauth_token",
        value: token,
        description,
      });
    }
    if (!res.ok) {
      const problem = await res.json().catch(() => ({})) as { detail?: string };
      throw new ConnectorError(
        "authflow",
        `CredVault refused to store the token in '${name}' (${res.status}): ${
          problem.detail ?? res.statusText
        }`,
        "TokenStore",
      );
    }
    await res.body?.cancel();
  }
}
