/**
 * AuthFlow: OAuth2 for http/graphql connections whose settings say `auth.type = "oauth2"`.
 * Authorization code with PKCE (S256) through /api/v1/authflow/callback, client credentials,
 * and refresh (single flight per connection) — used by the engine before expiry and on a 401.
 * Tokens live in CredVault as the connection's `oauth_token` credential; this module keeps only
 * status metadata (never tokens) and short-lived PKCE sessions.
 */
import { BadRequestError, ValidationError } from "../../../runtime/errors.ts";
import { randomSecret, sha256Hex } from "../../../runtime/ids.ts";
import type { CredentialReader, Engine } from "../engine.ts";
import type { OpenActStore } from "../store.ts";
import type { AuthStatus, Connection } from "../types.ts";
import { credentialTrn } from "../service.ts";
import { ConnectorError } from "../errors.ts";
import {
  authorizeUrl,
  type OAuth2Settings,
  pkcePair,
  requestToken,
  type StoredToken,
} from "./oauth_client.ts";
import type { TokenVault } from "./token_vault.ts";

const SESSION_TTL_MS = 10 * 60_000;

export interface AuthFlowDeps {
  store: OpenActStore;
  engine: Engine;
  vault: TokenVault;
  readCredential: CredentialReader;
  now: () => number;
}

function oauthSettings(connection: Connection): OAuth2Settings & { connectionAllowsPrivate: boolean } {
  const auth = connection.settings.auth as OAuth2Settings | undefined;
  if (!auth || auth.type !== "oauth2") {
    throw new BadRequestError(
      `connection '${connection.name}' does not use OAuth2: set settings.auth to {type: "oauth2", tokenUrl, clientId, ...}`,
    );
  }
  return { ...auth, connectionAllowsPrivate: connection.settings.allowPrivateNetwork === true };
}

const credentialName = (trn: string) => trn.slice(trn.indexOf(":credential/") + ":credential/".length);

export class AuthFlow {
  #inflight = new Map<string, Promise<StoredToken>>();

  constructor(private deps: AuthFlowDeps) {}

  /** Makes sure the connection names a credential for its token (default `<connection>-oauth`). */
  #ensureCredential(tenant: string, connection: Connection): Connection {
    if (connection.credential) return connection;
    const trn = credentialTrn(`${connection.name}-oauth`, tenant);
    return this.deps.store.updateConnection(tenant, connection.name, { credential: trn });
  }

  async #clientSecret(
    tenant: string,
    auth: OAuth2Settings,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    if (!auth.clientSecretCredential) return undefined;
    const value = await this.deps.readCredential(
      tenant,
      credentialTrn(auth.clientSecretCredential, tenant),
      signal,
    );
    const secret = typeof value === "string"
      ? value
      : (value as Record<string, unknown> | null)?.clientSecret ??
        (value as Record<string, unknown> | null)?.value;
    if (typeof secret !== "string") {
      throw new ConnectorError(
        "authflow",
        `credential '${auth.clientSecretCredential}' holds no client secret string`,
      );
    }
    return secret;
  }

  async #save(tenant: string, connection: Connection, token: StoredToken, how: "authorized" | "refreshed") {
    await this.deps.vault.write(
      tenant,
      credentialName(connection.credential!),
      token,
      `OAuth2 token of connection ${connection.name} (managed by AuthFlow)`,
    );
    this.deps.engine.remember(tenant, connection, token);
    this.deps.store.putAuthStatus(tenant, connection.name, {
      status: "authorized",
      expiresAt: token.expiresAt ?? null,
      scope: token.scope ?? null,
      hasRefresh: !!token.refreshToken,
      authorized: how === "authorized",
      refreshed: how === "refreshed",
      error: null,
    });
  }

  #fail(tenant: string, connection: Connection, err: unknown): never {
    this.deps.store.putAuthStatus(tenant, connection.name, {
      status: "error",
      error: (err as Error).message ?? String(err),
    });
    throw err;
  }

  /** Starts authorization: an authorize URL (code + PKCE), or a token right away (client credentials). */
  async start(tenant: string, ref: Connection, origin: string, redirectOverride?: string) {
    const auth = oauthSettings(ref);
    const connection = this.#ensureCredential(tenant, ref);
    if (auth.grant === "client_credentials") {
      try {
        const token = await requestToken(auth, { grant_type: "client_credentials" }, {
          clientSecret: await this.#clientSecret(tenant, auth),
          allowPrivateNetwork: auth.allowPrivateNetwork || auth.connectionAllowsPrivate,
          now: this.deps.now(),
        });
        await this.#save(tenant, connection, token, "authorized");
      } catch (err) {
        this.#fail(tenant, connection, err);
      }
      return { connection: connection.name, grant: auth.grant, status: this.status(tenant, connection) };
    }
    if (!auth.authorizeUrl) {
      throw new ValidationError([{
        path: "/settings/auth/authorizeUrl",
        message: "the authorization_code grant needs authorizeUrl in the connection's auth settings",
      }]);
    }
    const state = randomSecret(24);
    const { verifier, challenge } = await pkcePair();
    const redirectUri = auth.redirectUri ?? redirectOverride ?? `${origin}/api/v1/authflow/callback`;
    this.deps.store.putAuthSession({
      stateHash: await sha256Hex(state),
      tenant,
      connection: connection.name,
      verifier,
      redirectUri,
      ttlMs: SESSION_TTL_MS,
    });
    this.deps.store.putAuthStatus(tenant, connection.name, { status: "pending", error: null });
    return {
      connection: connection.name,
      grant: auth.grant,
      authorizeUrl: authorizeUrl(auth, { redirectUri, state, challenge }),
      expiresAt: new Date(this.deps.now() + SESSION_TTL_MS).toISOString(),
    };
  }

  /** The redirect target: exchanges the code (with the PKCE verifier) and stores the token. */
  async callback(query: { code?: string; state?: string; error?: string; error_description?: string }) {
    if (!query.state) throw new BadRequestError("the callback needs a state parameter");
    const session = this.deps.store.takeAuthSession(await sha256Hex(query.state));
    if (!session) {
      throw new BadRequestError(
        "unknown or expired authorization state: start again with 'aio act auth start'",
      );
    }
    const connection = this.deps.store.getConnection(session.tenant, session.connection);
    if (query.error) {
      const message = `the authorization server returned ${query.error}${
        query.error_description ? `: ${query.error_description.slice(0, 300)}` : ""
      }`;
      this.deps.store.putAuthStatus(session.tenant, connection.name, { status: "error", error: message });
      throw new BadRequestError(message);
    }
    if (!query.code) throw new BadRequestError("the callback needs a code parameter");
    const auth = oauthSettings(connection);
    try {
      const token = await requestToken(auth, {
        grant_type: "authorization_code",
        code: query.code,
        redirect_uri: session.redirectUri,
        code_verifier: session.verifier,
      }, {
        clientSecret: await this.#clientSecret(session.tenant, auth),
        allowPrivateNetwork: auth.allowPrivateNetwork || auth.connectionAllowsPrivate,
        now: this.deps.now(),
      });
      await this.#save(session.tenant, connection, token, "authorized");
    } catch (err) {
      this.#fail(session.tenant, connection, err);
    }
    return { tenant: session.tenant, connection: connection.name };
  }

  /** Refreshes (refresh_token grant, or a new client_credentials token); one request per connection at a time. */
  refresh(tenant: string, connection: Connection, signal?: AbortSignal): Promise<StoredToken> {
    const key = `${tenant}\u0000${connection.name}`;
    let pending = this.#inflight.get(key);
    if (!pending) {
      pending = this.#refresh(tenant, connection, signal).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    return pending;
  }

  async #refresh(tenant: string, connection: Connection, signal?: AbortSignal): Promise<StoredToken> {
    const auth = oauthSettings(connection);
    if (!connection.credential) {
      throw new BadRequestError(
        `connection '${connection.name}' has no token yet: run 'aio act auth start ${connection.name}'`,
      );
    }
    let previous: StoredToken | undefined;
    try {
      previous = await this.deps.readCredential(tenant, connection.credential, signal) as StoredToken;
    } catch (err) {
      if (auth.grant !== "client_credentials") this.#fail(tenant, connection, err);
    }
    const options = {
      clientSecret: await this.#clientSecret(tenant, auth, signal),
      allowPrivateNetwork: auth.allowPrivateNetwork || auth.connectionAllowsPrivate,
      now: this.deps.now(),
      signal,
      previous,
    };
    try {
      let token: StoredToken;
      if (previous?.refreshToken) {
        token = await requestToken(auth, {
          grant_type: "refresh_token",
          refresh_token: previous.refreshToken,
        }, options);
      } else if (auth.grant === "client_credentials") {
        token = await requestToken(auth, { grant_type: "client_credentials" }, options);
      } else {
        throw new ConnectorError(
          "authflow",
          `connection '${connection.name}' has no refresh token: authorize again with 'aio act auth start ${connection.name}'`,
          "NoRefreshToken",
        );
      }
      await this.#save(tenant, connection, token, "refreshed");
      return token;
    } catch (err) {
      this.#fail(tenant, connection, err);
    }
  }

  status(tenant: string, connection: Connection): AuthStatus {
    const auth = oauthSettings(connection);
    const row = this.deps.store.getAuthStatus(tenant, connection.name);
    let status: AuthStatus["status"] = row?.status ?? "none";
    if (
      status === "authorized" && row?.expires_at && Date.parse(row.expires_at) <= this.deps.now() &&
      !row.has_refresh
    ) {
      status = "expired";
    }
    return {
      connection: connection.name,
      grant: auth.grant,
      status,
      credential: connection.credential,
      expiresAt: row?.expires_at ?? null,
      scope: row?.scope ?? null,
      hasRefreshToken: !!row?.has_refresh,
      lastAuthorizedAt: row?.last_authorized_at ?? null,
      lastRefreshAt: row?.last_refresh_at ?? null,
      lastError: row?.last_error ?? null,
    };
  }
}
