/** ParamStore over real HTTP against the real server subprocess. */
import { assert, assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { startServer } from "../helpers/server.ts";

const e = encodeURIComponent;
const P = (path: string) => `/api/v1/params/${e(path)}`;
type Param = {
  path: string;
  type: string;
  version: number;
  value: unknown;
  labels: string[];
  error?: string;
};

Deno.test("ParamStore REST API: types, versions, labels, rollback, get-by-path, evaluation, secrets, import/export", async (t) => {
  const s = await startServer();
  const tokens: Record<string, string> = {};
  for (const [role, tenant] of [["viewer", "default"], ["operator", "acme"]]) {
    tokens[`${role}:${tenant}`] =
      (await s.json<{ token: string }>("POST", "/api/v1/tokens", { name: role, role, tenant })).body.token;
  }
  const as = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await s.api(method, path, body, { authorization: `Bearer ${token}` });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  try {
    await t.step("typed values: CLI strings convert; mismatches are 400s naming /value", async () => {
      const cases: [string, string, unknown, unknown][] = [
        ["/app/config/timeout", "number", "30", 30],
        ["/app/config/debug", "boolean", "false", false],
        ["/app/config/name", "string", "orders", "orders"],
        ["/app/config/hosts", "string_list", "a,b", ["a", "b"]],
        ["/app/config/limits", "json", '{"rps":5}', { rps: 5 }],
      ];
      for (const [path, type, input, expected] of cases) {
        const put = await s.json<Param>("PUT", P(path), { value: input, type });
        assertEquals([put.status, put.body.version, put.body.value], [200, 1, expected], path);
        assertEquals((await s.json<Param>("GET", P(path))).body.value, expected);
      }
      const bad = await s.json<{ errors: { path: string; message: string }[] }>(
        "PUT",
        P("/app/config/timeout"),
        { value: "soon" },
      );
      assertEquals(bad.status, 400);
      assertEquals(bad.body.errors[0].path, "/value");
      const pattern = await s.json<{ errors: { message: string }[] }>("PUT", P("/app/config/port"), {
        value: "80a",
        allowedPattern: "^[0-9]+$",
      });
      assertStringIncludes(pattern.body.errors[0].message, "allowedPattern");
      const unknownType = await s.json<{ errors: { path: string }[] }>("PUT", P("/app/x"), {
        value: "1",
        type: "float",
      });
      assertEquals(unknownType.body.errors[0].path, "/type");
      assertEquals(
        (await s.json("PUT", P("/app/config/timeout"), { value: "31", overwrite: false })).status,
        409,
      );
      for (const path of ["/a//b", "/a/b/", "/a/b c", "/" + Array(16).fill("d").join("/")]) {
        const r = await s.json<{ errors: { path: string }[] }>("PUT", P(path), { value: "1" });
        assertEquals(r.status, 400, path);
        assertEquals(r.body.errors[0].path, "/path");
      }
      assertEquals((await s.json("GET", P("/App/config/timeout"))).status, 404);
    });

    await t.step("versions, path:N, labels that move, history and rollback", async () => {
      await s.json("PUT", P("/app/config/timeout"), { value: "45" });
      await s.json("PUT", P("/app/config/timeout"), { value: "60" });
      assertEquals((await s.json<Param>("GET", P("/app/config/timeout"))).body.value, 60);
      assertEquals((await s.json<Param>("GET", P("/app/config/timeout:2"))).body.value, 45);
      assertEquals((await s.json("GET", P("/app/config/timeout:9"))).status, 404);
      const lab = await s.json<{ labels: string[] }>("PUT", `${P("/app/config/timeout")}/labels`, {
        version: 1,
        labels: ["prod"],
      });
      assertEquals(lab.body.labels, ["prod"]);
      assertEquals((await s.json<Param>("GET", P("/app/config/timeout:prod"))).body.value, 30);
      await s.json("PUT", `${P("/app/config/timeout")}/labels`, { version: 2, labels: ["prod", "canary"] });
      assertEquals((await s.json<Param>("GET", P("/app/config/timeout:prod"))).body.value, 45);
      const hist = await s.json<{ items: { version: number; labels: string[] }[] }>(
        "GET",
        `${P("/app/config/timeout")}/history`,
      );
      assertEquals(hist.body.items.map((v) => [v.version, v.labels]), [[3, []], [2, ["canary", "prod"]], [
        1,
        [],
      ]]);
      const page = await s.json<{ items: unknown[]; nextToken: string }>(
        "GET",
        `${P("/app/config/timeout")}/history?limit=2`,
      );
      const rest = await s.json<{ items: { version: number }[] }>(
        "GET",
        `${P("/app/config/timeout")}/history?limit=2&nextToken=${page.body.nextToken}`,
      );
      assertEquals(rest.body.items.map((v) => v.version), [1]);
      assertEquals((await s.json("GET", P("/app/config/timeout:nolabel"))).status, 404);
      assertEquals(
        (await s.json("PUT", `${P("/app/config/timeout")}/labels`, { labels: ["1abc"] })).status,
        400,
      );
      assertEquals(
        (await s.json("PUT", `${P("/app/config/timeout")}/labels`, { version: 7, labels: ["x"] })).status,
        404,
      );
      const rb = await s.json<Param>("POST", `${P("/app/config/timeout")}/rollback`, { version: 1 });
      assertEquals([rb.body.version, rb.body.value], [4, 30]);
      assertEquals((await s.json("DELETE", `${P("/app/config/timeout")}/labels/canary`)).status, 200);
      assertEquals((await s.json("DELETE", `${P("/app/config/timeout")}/labels/canary`)).status, 404);
      assertEquals(
        (await s.json("POST", `${P("/app/config/timeout")}/rollback`, { version: 99 })).status,
        404,
      );
    });

    await t.step("get-by-path: children or recursive, pagination, type and label filters", async () => {
      await s.json("PUT", P("/app/top"), { value: "t" });
      const kids = await s.json<{ items: Param[] }>("GET", "/api/v1/params?path=/app");
      assertEquals(kids.body.items.map((p) => p.path), ["/app/top"]);
      const all = await s.json<{ items: Param[] }>("GET", "/api/v1/params?path=/app&recursive=true");
      assertEquals(all.body.items.length, 6);
      const p1 = await s.json<{ items: Param[]; nextToken: string }>(
        "GET",
        "/api/v1/params?path=/app&recursive=true&limit=4",
      );
      const p2 = await s.json<{ items: Param[]; nextToken?: string }>(
        "GET",
        `/api/v1/params?path=/app&recursive=true&limit=4&nextToken=${p1.body.nextToken}`,
      );
      assertEquals(
        [...p1.body.items, ...p2.body.items].map((p) => p.path),
        all.body.items.map((p) => p.path),
      );
      assertEquals(p2.body.nextToken, undefined);
      const nums = await s.json<{ items: Param[] }>(
        "GET",
        "/api/v1/params?path=/app&recursive=true&type=number",
      );
      assertEquals(nums.body.items.map((p) => p.path), ["/app/config/timeout"]);
      const labelled = await s.json<{ items: Param[] }>(
        "GET",
        "/api/v1/params?path=/&recursive=true&label=prod",
      );
      assertEquals(labelled.body.items.map((p) => [p.path, p.version]), [["/app/config/timeout", 2]]);
      assertEquals((await s.json("GET", "/api/v1/params?path=app")).status, 400);
    });

    await t.step(
      "dynamic values evaluate at read time with $param and $now; cycles are reported; raw shows source",
      async () => {
        await s.json("PUT", P("/app/calc/double"), {
          value: "{% $param('/app/config/timeout') * 2 %}",
          type: "number",
        });
        assertEquals((await s.json<Param>("GET", P("/app/calc/double"))).body.value, 60);
        await s.json("PUT", P("/app/config/timeout"), { value: "50" });
        assertEquals((await s.json<Param>("GET", P("/app/calc/double"))).body.value, 100);
        const raw = await s.json<Param & { dynamic: boolean }>("GET", `${P("/app/calc/double")}?raw=true`);
        assertEquals([raw.body.value, raw.body.dynamic], ["{% $param('/app/config/timeout') * 2 %}", true]);
        await s.json("PUT", P("/app/calc/stamp"), { value: "{% $now() %}" });
        const stamp = (await s.json<Param>("GET", P("/app/calc/stamp"))).body.value as string;
        assert(Math.abs(Date.parse(stamp) - Date.now()) < 60_000);
        await s.json("PUT", P("/app/cyc/a"), { value: "{% $param('/app/cyc/b') %}" });
        await s.json("PUT", P("/app/cyc/b"), { value: "{% $param('/app/cyc/c') %}" });
        await s.json("PUT", P("/app/cyc/c"), { value: "{% $param('/app/cyc/a') %}" });
        const cyc = await s.json<{ detail: string; chain: string[] }>("GET", P("/app/cyc/a"));
        assertEquals(cyc.status, 422);
        assertEquals(cyc.body.chain, ["/app/cyc/a", "/app/cyc/b", "/app/cyc/c", "/app/cyc/a"]);
        const listed = await s.json<{ items: Param[] }>("GET", "/api/v1/params?path=/app/cyc");
        assert(listed.body.items.every((p) => p.error?.includes("cycle")));
        await s.json("PUT", P("/app/calc/missing"), { value: "{% $param('/nope') %}" });
        assertStringIncludes(
          (await s.json<{ detail: string }>("GET", P("/app/calc/missing"))).body.detail,
          "'/nope' not found",
        );
        await s.json("PUT", P("/app/calc/wrongtype"), { value: "{% 'abc' %}", type: "number" });
        assertEquals((await s.json("GET", P("/app/calc/wrongtype"))).status, 422);
        const syntax = await s.json<{ errors: { message: string }[] }>("PUT", P("/app/calc/bad"), {
          value: "{% 1 + %}",
        });
        assertStringIncludes(syntax.body.errors[0].message, "does not compile");
      },
    );

    await t.step("secret_ref resolves only with decryption rights; the reveal is audited", async () => {
      await s.json("POST", "/api/v1/secrets", { name: "db-pw", value: "pw-xyz" });
      await s.json("PUT", P("/app/db/password"), { value: "db-pw", type: "secret_ref" });
      await s.json("PUT", P("/app/db/url"), {
        value: "{% 'pg://app:' & $param('/app/db/password') & '@db' %}",
      });
      const ref = await s.json<Param & { decrypted: boolean }>("GET", P("/app/db/password"));
      assertEquals([ref.body.value, ref.body.decrypted], ["trn:credvault:default:credential/db-pw", false]);
      const dec = await s.json<Param & { decrypted: boolean }>(
        "GET",
        `${P("/app/db/password")}?withDecryption=true`,
      );
      assertEquals([dec.body.value, dec.body.decrypted], ["pw-xyz", true]);
      assertEquals((await s.json("GET", P("/app/db/url"))).status, 422);
      assertEquals(
        (await s.json<Param>("GET", `${P("/app/db/url")}?withDecryption=true`)).body.value,
        "pg://app:pw-xyz@db",
      );
      const viewer = tokens["viewer:default"];
      assertEquals((await as(viewer, "GET", `${P("/app/db/password")}?withDecryption=true`)).status, 403);
      assertEquals((await as(viewer, "GET", P("/app/db/password"))).status, 200);
      assertEquals((await as(viewer, "PUT", P("/app/v"), { value: "1" })).status, 403);
      const audit = await s.json<{ items: { actor: string; source: string }[] }>(
        "GET",
        "/api/v1/audit?resource=trn:credvault:default:credential/db-pw&action=secret.reveal",
      );
      assertEquals(audit.body.items.length, 2);
      assertEquals(audit.body.items[0].source, "paramstore");
      assertEquals(
        (await s.json("PUT", P("/app/db/x"), {
          value: "trn:credvault:acme:credential/a",
          type: "secret_ref",
        })).status,
        400,
      );
    });

    await t.step("tenants are isolated", async () => {
      const acme = tokens["operator:acme"];
      assertEquals((await as(acme, "GET", P("/app/config/timeout"))).status, 404);
      assertEquals(
        (await as(acme, "GET", `/api/v1/params/${e("trn:paramstore:default:param/app/config/timeout")}`))
          .status,
        404,
      );
      assertEquals((await as(acme, "PUT", P("/app/config/timeout"), { value: "7" })).body.version, 1);
      assertEquals(
        (await s.json<Param>("GET", `/api/v1/params/${e("trn:paramstore:default:param/app/config/timeout")}`))
          .body.value,
        50,
      );
    });

    await t.step("export as env/json/yaml and import back; import is all or nothing", async () => {
      const env = await (await s.api("GET", `${P("/app/config")}/export?format=env`)).text();
      assertStringIncludes(env, "TIMEOUT=50\n");
      assertStringIncludes(env, "HOSTS=a,b\n");
      assertStringIncludes(env, 'LIMITS="{\\"rps\\":5}"');
      const json = JSON.parse(await (await s.api("GET", `${P("/app/config")}/export?format=json`)).text());
      assertEquals(json, {
        debug: false,
        hosts: ["a", "b"],
        limits: { $json: { rps: 5 } }, // a json parameter, not a folder
        name: "orders",
        timeout: 50,
      });
      const withRef = JSON.parse(
        await (await s.api("GET", `${P("/app/db")}/export?format=json&raw=true`)).text(),
      );
      assertEquals(withRef.password, { $secretRef: "trn:credvault:default:credential/db-pw" });
      const yaml = await (await s.api("GET", `${P("/app/config")}/export?format=yaml`)).text();
      assertStringIncludes(yaml, "timeout:");
      const imp = await s.json<{ imported: number }>("POST", `${P("/copy")}/import`, {
        format: "yaml",
        content: yaml,
      });
      assertEquals(imp.body.imported, 5);
      assertEquals((await s.json<Param>("GET", P("/copy/hosts"))).body.type, "string_list");
      // json values survive the round trip as one json parameter
      const limits = (await s.json<Param>("GET", P("/copy/limits"))).body;
      assertEquals([limits.type, limits.value], ["json", { rps: 5 }]);
      const envImp = await s.json<{ paths: string[] }>("POST", `${P("/envs")}/import`, {
        format: "env",
        content: '# comment\nexport DB_HOST=db1\nGREETING="hi there"\n',
      });
      assertEquals(envImp.body.paths, ["/envs/DB_HOST", "/envs/GREETING"]);
      assertEquals((await s.json<Param>("GET", P("/envs/GREETING"))).body.value, "hi there");
      const bad = await s.json<{ errors: { path: string }[] }>("POST", `${P("/half")}/import`, {
        format: "json",
        content: JSON.stringify({ ok: 1, "bad key": 2 }),
      });
      assertEquals(bad.status, 400);
      assertEquals((await s.json("GET", P("/half/ok"))).status, 404);
      assertEquals((await s.json("POST", `${P("/x")}/import`, { format: "json", content: "{" })).status, 400);
      assertEquals(
        (await s.json("POST", `${P("/copy")}/import`, { format: "yaml", content: yaml, overwrite: false }))
          .status,
        409,
      );
    });

    await t.step("delete removes every version; changes are audited", async () => {
      assertEquals((await s.json("DELETE", P("/copy/hosts"))).status, 200);
      assertEquals((await s.json("GET", P("/copy/hosts:1"))).status, 404);
      assertEquals((await s.json("DELETE", P("/copy/hosts"))).status, 404);
      const audit = await s.json<{ items: { action: string }[] }>(
        "GET",
        "/api/v1/audit?resource=trn:paramstore:default:param/*&limit=1000",
      );
      const actions = new Set(audit.body.items.map((i) => i.action));
      for (const a of ["param.put", "param.label", "param.rollback", "param.delete", "param.import"]) {
        assert(actions.has(a), a);
      }
    });
  } finally {
    await s.stop();
  }
});
