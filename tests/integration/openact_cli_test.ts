/**
 * OpenAct end to end: the real server (with the real CredVault) and the real `aio act` CLI,
 * against a loopback HTTP API.
 */
import assert from "node:assert/strict";
import { runCli, startServer } from "../helpers/server.ts";
import { startStub } from "../helpers/openact_stubs.ts";

Deno.test("aio act: conn create/test/list, action create, execute http.get-users, ad hoc, delete", async () => {
  const api = await startStub((_req, rec) => {
    if (rec.path === "/users") return Response.json([{ login: "ada" }]);
    if (rec.path === "/") return new Response("ok");
    return new Response("not found", { status: 404 });
  });
  const server = await startServer();
  const cli = (...args: string[]) => runCli(args, { server });
  try {
    const secretValue = "canary-token-7f3a9c";
    const sec = await server.json("POST", "/api/v1/secrets", {
      name: "gh-token",
      type: "api_key",
      value: secretValue,
    });
    assert.equal(sec.status, 201, JSON.stringify(sec.body));

    let r = await cli(
      "act",
      "conn",
      "create",
      "github-api",
      "--kind",
      "http",
      "--settings",
      JSON.stringify({ baseUrl: api.url, allowPrivateNetwork: true, auth: { type: "bearer" } }),
      "--credential",
      "gh-token",
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /created trn:openact:default:connection\/http\/github-api/);

    r = await cli("act", "conn", "test", "github-api");
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^ok: github-api/);

    r = await cli("act", "conn", "list");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /github-api\s+http\s+gh-token/);

    r = await cli(
      "act",
      "action",
      "create",
      "get-users",
      "--connection",
      "github-api",
      "--operation",
      "request",
      "--parameters",
      '{"method":"GET","path":"/users"}',
    );
    assert.equal(r.code, 0, r.stderr);

    r = await cli("act", "execute", "http.get-users", "--data", "{}");
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.status, 200);
    assert.deepEqual(out.body, [{ login: "ada" }]);
    assert.equal(api.requests.at(-1)!.headers.authorization, `Bearer ${secretValue}`);

    // `--data` after the subcommand is the input; before it, the data dir holding admin.token.
    r = await runCli(["--data", server.dataDir, "act", "execute", "http.get-users", "--data", "{}"], {
      server,
      env: { AIONIX_TOKEN: "" },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).status, 200);

    r = await cli(
      "act",
      "execute",
      "--connection",
      "github-api",
      "--operation",
      "get",
      "--data",
      '{"path":"/users"}',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).status, 200);

    r = await cli("-o", "json", "act", "action", "get", "http.get-users");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).trn, "trn:openact:default:action/http/get-users");

    r = await cli("act", "execute", "http.nope");
    assert.equal(r.code, 5);
    assert.match(r.stderr, /action 'http\.nope' not found/);

    r = await cli("act", "execute", "http.get-users", "--data", "{not json");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--data is not valid JSON/);

    r = await cli("act", "conn", "delete", "github-api");
    assert.equal(r.code, 6);
    assert.match(r.stderr, /http\.get-users/);
    assert.equal((await cli("act", "action", "delete", "http.get-users")).code, 0);
    assert.equal((await cli("act", "conn", "delete", "github-api")).code, 0);

    // The credential's value never shows up in the server's logs.
    assert.equal(server.logs().includes(secretValue), false);
  } finally {
    await server.stop();
    await api.close();
  }
});

Deno.test("aio act conn test my-postgres checks the real PostgreSQL; a workflow task runs act:KIND.NAME", async () => {
  const { requireService } = await import("../helpers/services.ts");
  const api = await startStub((_req, rec) => Response.json({ orderId: rec.query.id, total: 42 }));
  const server = await startServer();
  const cli = (...args: string[]) => runCli(args, { server });
  try {
    if (await requireService("PostgreSQL", 5432)) {
      let r = await cli(
        "act",
        "conn",
        "create",
        "my-postgres",
        "--kind",
        "postgres",
        "--settings",
        '{"database":"test"}',
      );
      assert.equal(r.code, 0, r.stderr);
      r = await cli("act", "conn", "test", "my-postgres");
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.match(r.stdout, /^ok: my-postgres answered/);
      r = await cli(
        "act",
        "execute",
        "--connection",
        "my-postgres",
        "--operation",
        "query",
        "--data",
        '{"sql":"SELECT $1::int + 1 AS n","params":[41]}',
      );
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout).rows, [{ n: 42 }]);
      await cli(
        "act",
        "conn",
        "create",
        "bad-pg",
        "--kind",
        "postgres",
        "--settings",
        '{"database":"test","port":1}',
      );
      r = await cli("act", "conn", "test", "bad-pg");
      assert.equal(r.code, 1);
      assert.match(r.stdout, /FAILED: bad-pg/);
    }

    await server.json("POST", "/api/v1/connections", {
      name: "orders",
      kind: "http",
      settings: { baseUrl: api.url, allowPrivateNetwork: true },
    });
    await server.json("POST", "/api/v1/actions", {
      name: "get-order",
      connection: "orders",
      operation: "get",
      parameters: { path: "/orders" },
    });
    const dsl = {
      entry: "Fetch",
      states: {
        Fetch: {
          type: "task",
          action: "act:http.get-order",
          parameters: { query: { id: "{% input.id %}" } },
          output: { expression: "{% result.body %}" },
          end: true,
        },
      },
    };
    const tpl = await server.json("POST", "/api/v1/templates", { name: "order-flow", dsl });
    assert.equal(tpl.status, 201, JSON.stringify(tpl.body));
    const run = await server.json<{ status: string; output: unknown }>(
      "POST",
      "/api/v1/templates/order-flow/executions",
      { input: { id: "o-7" }, mode: "sync" },
    );
    assert.equal(run.status, 200, JSON.stringify(run.body));
    assert.equal(run.body.status, "succeeded", JSON.stringify(run.body));
    assert.deepEqual(run.body.output, { orderId: "o-7", total: 42 });
  } finally {
    await server.stop();
    await api.close();
  }
});
