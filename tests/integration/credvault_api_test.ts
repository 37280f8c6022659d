/** CredVault over real HTTP against the real server subprocess and its SQLite file. */
import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../helpers/assert.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

const CERT = Deno.readTextFileSync(
  new URL("../../services/credvault/testdata/long_lived.pem", import.meta.url),
);

async function tokenFor(s: TestServer, role: string, tenant = "default"): Promise<string> {
  const r = await s.json<{ token: string }>("POST", "/api/v1/tokens", {
    name: `${role}-${tenant}`,
    role,
    tenant,
  });
  assertEquals(r.status, 201);
  return r.body.token;
}

async function call(s: TestServer, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(s.url + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

Deno.test("CredVault REST API: types, versions, stages, lifecycle, roles, tenants, audit, tampering", async (t) => {
  const s = await startServer();
  try {
    await t.step("create stores every type; get and list never return values", async () => {
      const inputs = [
        { name: "stripe-key", type: "api_key", value: "sk_live_abc" },
        { name: "db-password", value: "secret123", description: "main db", tags: { team: "core" } },
        { name: "tls", type: "certificate", value: CERT },
        {
          name: "gh-oauth",
          type: "oauth_token",
          value: { accessToken: "at-1", refreshToken: "rt-1", expiresIn: 3600 },
        },
        { name: "cfg", type: "generic", value: '{"user":"u","pass":"p"}' },
      ];
      for (const input of inputs) {
        const r = await s.json<Record<string, unknown>>("POST", "/api/v1/secrets", input);
        assertEquals(r.status, 201, JSON.stringify(r.body));
        assert(!("value" in r.body));
      }
      const db = await s.json<Record<string, unknown>>("GET", "/api/v1/secrets/db-password");
      assertEquals(db.body.type, "password");
      assertEquals(db.body.trn, "trn:credvault:default:credential/db-password");
      assertEquals(db.body.tags, { team: "core" });
      const tls = await s.json<{ certificate: { subject: string; notAfter: string } }>(
        "GET",
        "/api/v1/secrets/tls",
      );
      assertEquals(tls.body.certificate.subject, "CN=vault.test, O=Aionix");
      assertEquals(tls.body.certificate.notAfter, "2126-10-30T23:40:40.000Z");
      const oauth = await s.json<{ oauth: { hasRefreshToken: boolean; expiresAt: string } }>(
        "GET",
        "/api/v1/secrets/gh-oauth",
      );
      assertEquals(oauth.body.oauth.hasRefreshToken, true);
      const list = await s.api("GET", "/api/v1/secrets?limit=2");
      const text = await list.text();
      for (const v of ["sk_live_abc", "secret123", "at-1", "rt-1", '"pass"']) assert(!text.includes(v), v);
      const page = JSON.parse(text);
      assertEquals(page.items.map((i: { name: string }) => i.name), ["cfg", "db-password"]);
      const next = await s.json<{ items: { name: string }[] }>(
        "GET",
        `/api/v1/secrets?limit=2&nextToken=${page.nextToken}`,
      );
      assertEquals(next.body.items.map((i) => i.name), ["gh-oauth", "stripe-key"]);
      const typed = await s.json<{ items: { name: string }[] }>("GET", "/api/v1/secrets?type=certificate");
      assertEquals(typed.body.items.map((i) => i.name), ["tls"]);
    });

    await t.step("bad input is a 4xx naming the field", async () => {
      const dup = await s.json<{ detail: string }>("POST", "/api/v1/secrets", {
        name: "db-password",
        value: "x",
      });
      assertEquals(dup.status, 409);
      const unknown = await s.json<{ errors: { path: string }[] }>("POST", "/api/v1/secrets", {
        name: "a",
        value: "x",
        colour: 1,
      });
      assertEquals(unknown.status, 400);
      assertEquals(unknown.body.errors[0].path, "/colour");
      const badType = await s.json<{ errors: { path: string }[] }>("POST", "/api/v1/secrets", {
        name: "a",
        type: "pgp",
        value: "x",
      });
      assertEquals(badType.body.errors[0].path, "/type");
      const badName = await s.json<{ detail: string }>("POST", "/api/v1/secrets", {
        name: "a b",
        value: "x",
      });
      assertEquals(badName.status, 400);
      assertStringIncludes(badName.body.detail, "'a b'");
      const badCert = await s.json<{ errors: { path: string; message: string }[] }>(
        "POST",
        "/api/v1/secrets",
        {
          name: "c2",
          type: "certificate",
          value: "not a pem",
        },
      );
      assertEquals(badCert.body.errors[0].path, "/value");
      assertStringIncludes(badCert.body.errors[0].message, "BEGIN CERTIFICATE");
      const noValue = await s.json<{ errors: { path: string }[] }>("POST", "/api/v1/secrets", { name: "nv" });
      assertEquals(noValue.body.errors[0].path, "/value");
      const badStage = await s.json("POST", "/api/v1/secrets/db-password/reveal", { stage: "AWSCURRENT" });
      assertEquals(badStage.status, 400);
      assertEquals((await s.json("GET", "/api/v1/secrets/missing")).status, 404);
    });

    await t.step(
      "reveal reads stages and versions; versions are immutable with AWS stage semantics",
      async () => {
        const first = await s.json<{ value: string; versionId: string; stages: string[] }>(
          "POST",
          "/api/v1/secrets/db-password/reveal",
        );
        assertEquals(first.body.value, "secret123");
        assertEquals(first.body.stages, ["current"]);
        assertEquals((await s.json<{ value: unknown }>("POST", "/api/v1/secrets/cfg/reveal")).body.value, {
          user: "u",
          pass: "p",
        });
        const pending = await s.json<{ versionId: string; stages: string[] }>(
          "POST",
          "/api/v1/secrets/db-password/versions",
          {
            value: "next-pw",
            stage: "pending",
          },
        );
        assertEquals(pending.status, 201);
        assertEquals(pending.body.stages, ["pending"]);
        const p = await s.json<{ value: string }>("POST", "/api/v1/secrets/db-password/reveal", {
          stage: "pending",
        });
        assertEquals(p.body.value, "next-pw");
        const promoted = await s.json<{ stages: Record<string, string> }>(
          "PUT",
          "/api/v1/secrets/db-password/stages/current",
          { versionId: pending.body.versionId },
        );
        assertEquals(promoted.body.stages, {
          current: pending.body.versionId,
          previous: first.body.versionId,
        });
        const byId = await s.json<{ value: string; stages: string[] }>(
          "POST",
          "/api/v1/secrets/db-password/reveal",
          {
            versionId: first.body.versionId,
          },
        );
        assertEquals([byId.body.value, byId.body.stages], ["secret123", ["previous"]]);
        const rotated = await s.json<{ versionId: string; method: string }>(
          "POST",
          "/api/v1/secrets/db-password/rotate",
          {
            value: "third",
          },
        );
        assertEquals(rotated.body.method, "value");
        const versions = await s.json<{ items: { versionId: string; stages: string[]; seq: number }[] }>(
          "GET",
          "/api/v1/secrets/db-password/versions",
        );
        assertEquals(versions.body.items.map((v) => [v.seq, v.stages]), [
          [3, ["current"]],
          [2, ["previous"]],
          [1, []],
        ]);
        assertEquals(
          (await s.json("POST", "/api/v1/secrets/db-password/reveal", { versionId: "nope" })).status,
          404,
        );
      },
    );

    await t.step(
      "retire/activate: retired versions cannot be read; the current one cannot be retired",
      async () => {
        const versions = (await s.json<{ items: { versionId: string; stages: string[] }[] }>(
          "GET",
          "/api/v1/secrets/db-password/versions",
        )).body.items;
        const [current, , oldest] = versions;
        assertEquals(
          (await s.json("POST", `/api/v1/secrets/db-password/versions/${current.versionId}/retire`)).status,
          409,
        );
        const retired = await s.json<{ state: string }>(
          "POST",
          `/api/v1/secrets/db-password/versions/${oldest.versionId}/retire`,
        );
        assertEquals(retired.body.state, "retired");
        const read = await s.json<{ detail: string }>("POST", "/api/v1/secrets/db-password/reveal", {
          versionId: oldest.versionId,
        });
        assertEquals(read.status, 409);
        assertStringIncludes(read.body.detail, "retired");
        await s.json("POST", `/api/v1/secrets/db-password/versions/${oldest.versionId}/activate`);
        assertEquals(
          (await s.json<{ value: string }>("POST", "/api/v1/secrets/db-password/reveal", {
            versionId: oldest.versionId,
          })).body.value,
          "secret123",
        );
      },
    );

    await t.step("viewers cannot reveal (403, audited as denied); operators can", async () => {
      const viewer = await tokenFor(s, "viewer");
      const operator = await tokenFor(s, "operator");
      assertEquals((await call(s, viewer, "GET", "/api/v1/secrets/db-password")).status, 200);
      const denied = await call(s, viewer, "POST", "/api/v1/secrets/db-password/reveal");
      assertEquals(denied.status, 403);
      assertEquals((await call(s, viewer, "POST", "/api/v1/secrets", { name: "v", value: "x" })).status, 403);
      assertEquals(
        (await call(s, operator, "POST", "/api/v1/secrets/db-password/reveal")).body.value,
        "third",
      );
      const audit = await s.json<{ items: { outcome: string; action: string; source: string }[] }>(
        "GET",
        "/api/v1/audit?resource=trn:credvault:default:credential/db-password&action=secret.reveal",
      );
      assert(audit.body.items.some((e) => e.outcome === "denied"));
      assert(audit.body.items.every((e) => e.source === "127.0.0.1"));
    });

    await t.step("tenants are isolated: another tenant's secret is a 404", async () => {
      const other = await tokenFor(s, "operator", "acme");
      assertEquals((await call(s, other, "GET", "/api/v1/secrets/db-password")).status, 404);
      assertEquals((await call(s, other, "POST", "/api/v1/secrets/db-password/reveal")).status, 404);
      const trn = encodeURIComponent("trn:credvault:default:credential/db-password");
      assertEquals((await call(s, other, "POST", `/api/v1/secrets/${trn}/reveal`)).status, 404);
      assertEquals(
        (await call(s, other, "POST", "/api/v1/secrets", { name: "db-password", value: "acme-pw" })).status,
        201,
      );
      assertEquals(
        (await call(s, other, "POST", "/api/v1/secrets/db-password/reveal")).body.value,
        "acme-pw",
      );
      assertEquals(
        (await s.json<{ value: string }>("POST", `/api/v1/secrets/${trn}/reveal`)).body.value,
        "third",
      );
    });

    await t.step("delete has a recovery window and restore; force deletes at once", async () => {
      const del = await s.json<{ purgeAt: string; purged: boolean; deletedAt: string }>(
        "DELETE",
        "/api/v1/secrets/stripe-key?recoveryWindowDays=3",
      );
      assertEquals(del.body.purged, false);
      assertEquals(Date.parse(del.body.purgeAt) - Date.parse(del.body.deletedAt), 3 * 86_400_000);
      assertEquals((await s.json("POST", "/api/v1/secrets/stripe-key/reveal")).status, 409);
      assertEquals((await s.json("POST", "/api/v1/secrets", { name: "stripe-key", value: "x" })).status, 409);
      const hidden = await s.json<{ items: { name: string }[] }>("GET", "/api/v1/secrets");
      assert(!hidden.body.items.some((i) => i.name === "stripe-key"));
      const shown = await s.json<{ items: { name: string }[] }>("GET", "/api/v1/secrets?includeDeleted=true");
      assert(shown.body.items.some((i) => i.name === "stripe-key"));
      assertEquals((await s.json("DELETE", "/api/v1/secrets/stripe-key?recoveryWindowDays=90")).status, 409);
      assertEquals((await s.json("POST", "/api/v1/secrets/stripe-key/restore")).status, 200);
      assertEquals((await s.json("POST", "/api/v1/secrets/stripe-key/restore")).status, 409);
      assertEquals(
        (await s.json<{ value: string }>("POST", "/api/v1/secrets/stripe-key/reveal")).body.value,
        "sk_live_abc",
      );
      assertEquals((await s.json("DELETE", "/api/v1/secrets/stripe-key?recoveryWindowDays=45")).status, 400);
      assertEquals(
        (await s.json<{ purged: boolean }>("DELETE", "/api/v1/secrets/stripe-key?force=true")).body.purged,
        true,
      );
      assertEquals((await s.json("GET", "/api/v1/secrets/stripe-key")).status, 404);
    });

    await t.step("random passwords follow the requested rules", async () => {
      const r = await s.json<{ password: string }>("POST", "/api/v1/secrets/random-password", {
        length: 24,
        excludePunctuation: true,
      });
      assertMatch(r.body.password, /^[A-Za-z0-9]{24}$/);
      const bad = await s.json<{ errors: { path: string }[] }>("POST", "/api/v1/secrets/random-password", {
        length: 2,
      });
      assertEquals(bad.body.errors[0].path, "/length");
    });

    await t.step(
      "audit records create/reveal/rotate/delete/restore with token, time, source and outcome",
      async () => {
        const all = await s.json<
          { items: { action: string; outcome: string; actor: string; time: string }[] }
        >(
          "GET",
          "/api/v1/audit?resource=trn:credvault:default:credential/*&limit=1000",
        );
        const actions = new Set(all.body.items.map((e) => e.action));
        for (
          const a of ["secret.create", "secret.reveal", "secret.rotate", "secret.delete", "secret.restore"]
        ) {
          assert(actions.has(a), a);
        }
        assert(all.body.items.some((e) => e.outcome === "failure"));
        const page = await s.json<{ items: unknown[]; nextToken: string }>("GET", "/api/v1/audit?limit=2");
        assertEquals(page.body.items.length, 2);
        assert(page.body.nextToken);
        const since = await s.json<{ items: unknown[] }>(
          "GET",
          `/api/v1/audit?since=${new Date(Date.now() + 60_000).toISOString()}`,
        );
        assertEquals(since.body.items.length, 0);
        const viewer = await tokenFor(s, "viewer");
        assertEquals((await call(s, viewer, "GET", "/api/v1/audit")).status, 403);
      },
    );

    await t.step("tampered or swapped ciphertext is detected and nothing is decrypted", async () => {
      const db = new DatabaseSync(`${s.dataDir}/aionix.db`);
      db.exec("PRAGMA busy_timeout = 5000");
      try {
        const row = db.prepare(
          `SELECT v.secret_id, v.version_id, v.ciphertext FROM credvault_versions v
           JOIN credvault_secrets s ON s.id = v.secret_id JOIN credvault_stages st
           ON st.secret_id = v.secret_id AND st.version_id = v.version_id AND st.stage = 'current'
           WHERE s.name = 'cfg'`,
        ).get() as { secret_id: string; version_id: string; ciphertext: Uint8Array };
        const flipped = row.ciphertext.slice();
        flipped[20] ^= 0xff;
        db.prepare("UPDATE credvault_versions SET ciphertext = ? WHERE secret_id = ? AND version_id = ?")
          .run(flipped, row.secret_id, row.version_id);
        const r = await s.json<{ detail: string; type: string }>("POST", "/api/v1/secrets/cfg/reveal");
        assertEquals(r.status, 500);
        assertStringIncludes(r.body.type, "integrity");
        assertStringIncludes(r.body.detail, "failed authentication");
        assert(!JSON.stringify(r.body).includes("pass"));
        // Swap in a valid ciphertext from another credential: the AAD binding rejects it.
        const tls = db.prepare(
          `SELECT v.ciphertext FROM credvault_versions v JOIN credvault_secrets s ON s.id = v.secret_id WHERE s.name = 'tls'`,
        ).get() as { ciphertext: Uint8Array };
        db.prepare("UPDATE credvault_versions SET ciphertext = ? WHERE secret_id = ? AND version_id = ?")
          .run(tls.ciphertext, row.secret_id, row.version_id);
        assertEquals((await s.json("POST", "/api/v1/secrets/cfg/reveal")).status, 500);
      } finally {
        db.close();
      }
      assertEquals((await s.json("POST", "/api/v1/secrets/tls/reveal")).status, 200);
    });
  } finally {
    await s.stop();
  }
});
