/**
 * Bearer tokens: stored as SHA-256 hashes, scoped to a tenant (or `*` for the bootstrap
 * admin), with a role. Verified tokens are cached by hash; revocation evicts them.
 */
import type { Db } from "./storage/mod.ts";
import type { Migration } from "./storage/mod.ts";
import { constantTimeEqual, newId, randomSecret, sha256Hex } from "./ids.ts";
import { BadRequestError, ForbiddenError, NotFoundError, UnauthorizedError } from "./errors.ts";
import { TENANT_RE } from "./trn.ts";

export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = typeof ROLES[number];
const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

/** Who is calling: derived from the token, plus the tenant chosen for this request. */
export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
  /** The token's scope: one tenant, or `*` (all tenants). */
  scope: string;
}

export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  tenant: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export const authMigrations: Migration[] = [{
  version: 1,
  name: "tokens",
  sql: `CREATE TABLE tokens (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, tenant TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT, last_used_at TEXT);`,
}];

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  tenant: string;
  hash: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

const toInfo = (r: TokenRow): TokenInfo => ({
  id: r.id,
  name: r.name,
  role: r.role,
  tenant: r.tenant,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

export function hasRole(principal: Principal, needed: Role): boolean {
  return RANK[principal.role] >= RANK[needed];
}

export function requireRole(principal: Principal, needed: Role): void {
  if (!hasRole(principal, needed)) {
    throw new ForbiddenError(
      `this needs the ${needed} role; the token '${principal.name}' has ${principal.role}`,
    );
  }
}

/** Picks the request's tenant: the header (if the token may use it) or the token's own tenant. */
export function tenantFor(principal: Principal, requested: string | undefined): string {
  if (requested !== undefined && requested !== "") {
    if (!TENANT_RE.test(requested)) {
      throw new BadRequestError(`tenant '${requested}' is invalid: use lower-case letters, digits and '-'`);
    }
    if (principal.scope !== "*" && principal.scope !== requested) {
      throw new ForbiddenError(`the token '${principal.name}' is scoped to tenant '${principal.scope}'`);
    }
    return requested;
  }
  return principal.scope === "*" ? "default" : principal.scope;
}

export class TokenService {
  #cache = new Map<string, { principal: Principal; expiresAt: number | null }>();
  /** Presented bearer values → their SHA-256 (hashing is the costliest step of a request). */
  #hashes = new Map<string, string>();
  #lastUsedWrites = new Map<string, number>();
  constructor(private db: Db, private now: () => number = Date.now) {}

  /** Creates a token and returns its plaintext once; only the hash is stored. */
  async create(input: { name: string; role: Role; tenant: string; expiresAt?: string | null }) {
    if (!ROLES.includes(input.role)) throw new BadRequestError(`role must be one of ${ROLES.join(", ")}`);
    if (input.tenant !== "*" && !TENANT_RE.test(input.tenant)) {
      throw new BadRequestError(
        `tenant '${input.tenant}' is invalid: use lower-case letters, digits and '-'`,
      );
    }
    const id = newId(this.now());
    const secret = `aio_${randomSecret(30)}`;
    const hash = await sha256Hex(secret);
    this.db.run(
      "INSERT INTO tokens (id, name, role, tenant, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      id,
      input.name,
      input.role,
      input.tenant,
      hash,
      new Date(this.now()).toISOString(),
      input.expiresAt ?? null,
    );
    return { token: secret, info: this.get(id) };
  }

  get(id: string): TokenInfo {
    const row = this.db.get<TokenRow>("SELECT * FROM tokens WHERE id = ?", id);
    if (!row) throw new NotFoundError("token", id);
    return toInfo(row);
  }

  list(options: { tenant?: string } = {}): TokenInfo[] {
    const rows = options.tenant
      ? this.db.all<TokenRow>("SELECT * FROM tokens WHERE tenant = ? ORDER BY id", options.tenant)
      : this.db.all<TokenRow>("SELECT * FROM tokens ORDER BY id");
    return rows.map(toInfo);
  }

  count(): number {
    return Number(this.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM tokens")!.n);
  }

  revoke(id: string): TokenInfo {
    const row = this.db.get<TokenRow>("SELECT * FROM tokens WHERE id = ?", id);
    if (!row) throw new NotFoundError("token", id);
    if (!row.revoked_at) {
      this.db.run("UPDATE tokens SET revoked_at = ? WHERE id = ?", new Date(this.now()).toISOString(), id);
    }
    this.#cache.delete(row.hash);
    return this.get(id);
  }

  /** Verifies an `Authorization` header value; throws UnauthorizedError with the reason. */
  async authenticate(header: string | undefined | null): Promise<Principal> {
    if (!header) throw new UnauthorizedError("missing bearer token: send 'Authorization: Bearer <token>'");
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new UnauthorizedError("the Authorization header must be 'Bearer <token>'");
    const hash = await this.#hash(match[1]);
    const now = this.now();
    const cached = this.#cache.get(hash);
    if (cached && (cached.expiresAt === null || cached.expiresAt > now)) {
      this.#touch(cached.principal.tokenId, now);
      return cached.principal;
    }
    const row = this.db.get<TokenRow>("SELECT * FROM tokens WHERE hash = ?", hash);
    if (!row || !constantTimeEqual(row.hash, hash) || row.revoked_at) {
      throw new UnauthorizedError("invalid or revoked token");
    }
    const expiresAt = row.expires_at ? Date.parse(row.expires_at) : null;
    if (expiresAt !== null && expiresAt <= now) throw new UnauthorizedError("the token has expired");
    const principal: Principal = { tokenId: row.id, name: row.name, role: row.role, scope: row.tenant };
    this.#cache.set(hash, { principal, expiresAt });
    this.#touch(row.id, now);
    return principal;
  }

  async #hash(secret: string): Promise<string> {
    let hash = this.#hashes.get(secret);
    if (hash === undefined) {
      hash = await sha256Hex(secret);
      if (this.#hashes.size >= 1024) this.#hashes.delete(this.#hashes.keys().next().value!);
      this.#hashes.set(secret, hash);
    }
    return hash;
  }

  /** Records last use at most once a minute per token, to keep reads off the write path. */
  #touch(id: string, now: number) {
    const last = this.#lastUsedWrites.get(id) ?? 0;
    if (now - last < 60_000) return;
    this.#lastUsedWrites.set(id, now);
    this.db.run("UPDATE tokens SET last_used_at = ? WHERE id = ?", new Date(now).toISOString(), id);
  }
}
