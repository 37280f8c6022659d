import { assertEquals, assertRejects, assertThrows } from "../tests/helpers/assert.ts";
import { openSqlite } from "./storage/mod.ts";
import { migrate } from "./storage/mod.ts";
import { authMigrations, requireRole, tenantFor, TokenService } from "./auth.ts";
import { BadRequestError, ForbiddenError, UnauthorizedError } from "./errors.ts";
import { sha256Hex } from "./ids.ts";

async function setup(now = () => Date.now()) {
  const db = openSqlite(":memory:");
  await migrate(db, "kernel", authMigrations);
  return { db, tokens: new TokenService(db, now) };
}

Deno.test("tokens are stored as SHA-256 hashes, never in plaintext", async () => {
  const { db, tokens } = await setup();
  const { token } = await tokens.create({ name: "ci", role: "operator", tenant: "prod" });
  const rows = db.all<Record<string, string>>("SELECT * FROM tokens");
  assertEquals(JSON.stringify(rows).includes(token), false);
  assertEquals(rows[0].hash, await sha256Hex(token));
});

Deno.test("authenticate() accepts a valid bearer token and rejects bad ones with reasons", async () => {
  const { tokens } = await setup();
  const { token, info } = await tokens.create({ name: "ci", role: "viewer", tenant: "prod" });
  const p = await tokens.authenticate(`Bearer ${token}`);
  assertEquals(p, { tokenId: info.id, name: "ci", role: "viewer", scope: "prod" });
  await assertRejects(() => tokens.authenticate(undefined), UnauthorizedError, "missing bearer token");
  await assertRejects(() => tokens.authenticate(`Basic abc`), UnauthorizedError, "Bearer <token>");
  await assertRejects(() => tokens.authenticate(`Bearer ${token}x`), UnauthorizedError, "invalid");
});

Deno.test("revoke() takes effect immediately even for cached tokens", async () => {
  const { tokens } = await setup();
  const { token, info } = await tokens.create({ name: "ci", role: "admin", tenant: "*" });
  await tokens.authenticate(`Bearer ${token}`);
  tokens.revoke(info.id);
  await assertRejects(() => tokens.authenticate(`Bearer ${token}`), UnauthorizedError, "revoked");
});

Deno.test("expired tokens are refused", async () => {
  let now = Date.parse("2026-01-01T00:00:00Z");
  const { tokens } = await setup(() => now);
  const { token } = await tokens.create({
    name: "short",
    role: "viewer",
    tenant: "t",
    expiresAt: "2026-01-01T01:00:00.000Z",
  });
  await tokens.authenticate(`Bearer ${token}`);
  now += 2 * 3600_000;
  await assertRejects(() => tokens.authenticate(`Bearer ${token}`), UnauthorizedError, "expired");
});

Deno.test("roles are ordered viewer < operator < admin", () => {
  const p = (role: "viewer" | "operator" | "admin") => ({ tokenId: "1", name: "n", role, scope: "t" });
  requireRole(p("admin"), "operator");
  requireRole(p("operator"), "viewer");
  assertThrows(() => requireRole(p("viewer"), "operator"), ForbiddenError, "needs the operator role");
});

Deno.test("tenantFor() lets '*' tokens pick a tenant and pins scoped tokens", () => {
  const star = { tokenId: "1", name: "root", role: "admin" as const, scope: "*" };
  const scoped = { tokenId: "2", name: "prod-ci", role: "operator" as const, scope: "prod" };
  assertEquals(tenantFor(star, undefined), "default");
  assertEquals(tenantFor(star, "staging"), "staging");
  assertEquals(tenantFor(scoped, undefined), "prod");
  assertEquals(tenantFor(scoped, "prod"), "prod");
  assertThrows(() => tenantFor(scoped, "staging"), ForbiddenError);
  assertThrows(() => tenantFor(star, "Bad_Tenant"), BadRequestError);
});
