/**
 * MCP: the SDK's own client against the real server's /mcp (streamable HTTP, token-authenticated)
 * and against `aionix mcp` (stdio bridge) as a subprocess.
 */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { MAIN, startServer, type TestServer } from "../helpers/server.ts";
import { startStub } from "../helpers/openact_stubs.ts";

async function seed(server: TestServer, stubUrl: string) {
  let r = await server.json("POST", "/api/v1/connections", {
    name: "users-api",
    kind: "http",
    settings: { baseUrl: stubUrl, allowPrivateNetwork: true },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await server.json("POST", "/api/v1/actions", {
    name: "get-user",
    connection: "users-api",
    operation: "get",
    description: "Fetch one user by id",
    parameters: { path: "/users" },
    inputSchema: {
      type: "object",
      properties: { query: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } },
      required: ["query"],
    },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

async function exercise(client: Client) {
  const { tools } = await client.listTools();
  const tool = tools.find((t: { name: string }) => t.name === "act_http_get-user");
  assert.ok(tool, `tools: ${tools.map((t: { name: string }) => t.name).join(", ")}`);
  assert.equal(tool.description, "Fetch one user by id");
  assert.deepEqual((tool.inputSchema as { required: string[] }).required, ["query"]);
  const ok = await client.callTool({ name: "act_http_get-user", arguments: { query: { id: "42" } } });
  assert.equal(ok.isError, undefined, JSON.stringify(ok));
  assert.deepEqual((ok.structuredContent as { body: unknown }).body, { id: "42", name: "ada" });
  const bad = await client.callTool({ name: "act_http_get-user", arguments: {} });
  assert.equal(bad.isError, true);
  assert.match((bad.content as { text: string }[])[0].text, /\/input\/query/);
  const templates = await client.listResourceTemplates();
  assert.ok(
    templates.resourceTemplates.some((t: { uriTemplate: string }) =>
      t.uriTemplate === "aionix://executions/{id}"
    ),
  );
  await assert.rejects(client.readResource({ uri: "aionix://nothing" }), /unknown resource/);
}

Deno.test("MCP over streamable HTTP at /mcp and over stdio (aionix mcp) expose actions as tools", async () => {
  const stub = await startStub((_req, rec) => Response.json({ id: rec.query.id, name: "ada" }));
  const server = await startServer();
  try {
    await seed(server, stub.url);

    const unauth = await fetch(`${server.url}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    assert.equal(unauth.status, 401);
    await unauth.body?.cancel();

    const http = new Client({ name: "test", version: "1" });
    await http.connect(
      new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${server.token}` } },
      }),
    );
    await exercise(http);
    await http.close();

    const stdio = new Client({ name: "test-stdio", version: "1" });
    await stdio.connect(
      new StdioClientTransport({
        command: Deno.execPath(),
        args: ["run", "-A", MAIN, "mcp"],
        env: { AIONIX_ENDPOINT: server.url, AIONIX_TOKEN: server.token, NO_COLOR: "1" },
        stderr: "pipe",
      }),
    );
    await exercise(stdio);
    await stdio.close();
  } finally {
    await server.stop();
    await stub.close();
  }
});
