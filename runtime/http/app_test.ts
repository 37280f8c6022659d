import { assert, assertEquals, assertMatch, assertStringIncludes } from "../../tests/helpers/assert.ts";
import { inProcess } from "../../tests/helpers/inprocess.ts";

const kernelOnly = () => inProcess({ services: [], config: { server: { body_limit: 1024 } } });

Deno.test("every /api route needs a bearer token: 401 problem+json otherwise", async () => {
  const s = await kernelOnly();
  try {
    const res = await s.request("GET", "/api/v1/tokens", undefined, { authorization: "" });
    assertEquals(res.status, 401);
    assertEquals(res.headers.get("content-type"), "application/problem+json");
    assertEquals(res.headers.get("www-authenticate"), 'Bearer realm="aionix"');
    const body = await res.json();
    assertEquals(body.status, 401);
    assertStringIncludes(body.detail, "missing bearer token");
    const bad = await s.request("GET", "/api/v1/tokens", undefined, { authorization: "Bearer nope" });
    assertEquals(bad.status, 401);
  } finally {
    await s.close();
  }
});

Deno.test("validation failures name each field with a JSON pointer", async () => {
  const s = await kernelOnly();
  try {
    const { status, body } = await s.json<{ errors: { path: string; message: string }[] }>(
      "POST",
      "/api/v1/tokens",
      { name: "", role: "root", extra: 1 },
    );
    assertEquals(status, 400);
    const paths = body.errors.map((e) => e.path).sort();
    assertEquals(paths, ["/extra", "/name", "/role"]);
    assertStringIncludes(body.errors.find((e) => e.path === "/extra")!.message, "unknown field 'extra'");
  } finally {
    await s.close();
  }
});

Deno.test("malformed JSON, wrong content type and oversized bodies get precise problems", async () => {
  const s = await kernelOnly();
  try {
    const malformed = await s.request("POST", "/api/v1/tokens", '{"name": ');
    assertEquals(malformed.status, 400);
    assertStringIncludes((await malformed.json()).detail, "not valid JSON");
    const text = await s.request("POST", "/api/v1/tokens", "name=x", { "content-type": "text/plain" });
    assertEquals(text.status, 415);
    assertStringIncludes((await text.json()).detail, "application/json");
    const big = await s.request("POST", "/api/v1/tokens", JSON.stringify({ name: "x".repeat(5000) }));
    assertEquals(big.status, 413);
    assertStringIncludes((await big.json()).detail, "1024 bytes");
    // none of the rejected requests created anything
    assertEquals((await s.json<{ items: unknown[] }>("GET", "/api/v1/tokens")).body.items.length, 1);
  } finally {
    await s.close();
  }
});

Deno.test("unknown routes answer 404 and wrong methods 405 with Allow", async () => {
  const s = await kernelOnly();
  try {
    const nf = await s.request("GET", "/api/v1/nothing-here");
    assertEquals(nf.status, 404);
    assertStringIncludes((await nf.json()).detail, "no route for GET /api/v1/nothing-here");
    const na = await s.request("PATCH", "/api/v1/tokens");
    assertEquals(na.status, 405);
    assertEquals(na.headers.get("allow"), "POST, GET");
  } finally {
    await s.close();
  }
});

Deno.test("request ids are generated or echoed back", async () => {
  const s = await kernelOnly();
  try {
    const a = await s.request("GET", "/healthz");
    assertMatch(a.headers.get("x-request-id") ?? "", /^[0-9a-z]{26}$/);
    const b = await s.request("GET", "/healthz", undefined, { "x-request-id": "trace-123" });
    assertEquals(b.headers.get("x-request-id"), "trace-123");
    const c = await s.request("GET", "/healthz", undefined, { "x-request-id": "bad id with spaces" });
    assert(c.headers.get("x-request-id") !== "bad id with spaces");
  } finally {
    await s.close();
  }
});

Deno.test("the Host header must be a loopback name when bound to loopback", async () => {
  const s = await kernelOnly();
  try {
    const evil = await s.request("GET", "/healthz", undefined, { host: "attacker.example:53000" });
    assertEquals(evil.status, 403);
    assertStringIncludes((await evil.json()).detail, "allowed_hosts");
    for (const host of ["localhost:53000", "127.0.0.1", "[::1]:80"]) {
      assertEquals((await s.request("GET", "/healthz", undefined, { host })).status, 200, host);
    }
  } finally {
    await s.close();
  }
  const allowed = await inProcess({ services: [], config: { server: { allowed_hosts: ["aionix.lan"] } } });
  try {
    assertEquals(
      (await allowed.request("GET", "/healthz", undefined, { host: "aionix.lan:53000" })).status,
      200,
    );
  } finally {
    await allowed.close();
  }
});

Deno.test("tokens: admin creates scoped tokens; viewers cannot; other tenants are pinned", async () => {
  const s = await kernelOnly();
  try {
    const made = await s.json<{ token: string; info: { id: string } }>("POST", "/api/v1/tokens", {
      name: "prod-viewer",
      role: "viewer",
      tenant: "prod",
    });
    assertEquals(made.status, 201);
    const viewer = { authorization: `Bearer ${made.body.token}` };
    assertEquals((await s.request("GET", "/api/v1/tokens", undefined, viewer)).status, 403);
    const other = await s.request("GET", "/api/v1/tokens", undefined, {
      ...viewer,
      "x-aionix-tenant": "staging",
    });
    assertEquals(other.status, 403);
    const list = await s.json<{ items: unknown[] }>("GET", "/api/v1/tokens");
    assertEquals(JSON.stringify(list.body).includes(made.body.token), false);
    assertEquals((await s.json("DELETE", `/api/v1/tokens/${made.body.info.id}`)).status, 200);
    assertEquals((await s.request("GET", "/healthz", undefined, viewer)).status, 200);
    assertEquals((await s.request("GET", "/api/v1/tokens", undefined, viewer)).status, 401);
  } finally {
    await s.close();
  }
});

Deno.test("/metrics counts requests by route and status; /api/openapi.json documents routes", async () => {
  const s = await kernelOnly();
  try {
    await s.request("GET", "/api/v1/tokens");
    const text = await (await s.request("GET", "/metrics")).text();
    assertStringIncludes(
      text,
      'aionix_http_requests_total{method="GET",route="/api/v1/tokens",status="200"} 1',
    );
    assertStringIncludes(text, "aionix_http_request_duration_seconds_bucket");
    const doc = await (await s.request("GET", "/api/openapi.json", undefined, { authorization: "" })).json();
    assertEquals(doc.openapi, "3.1.0");
    assert(doc.paths["/api/v1/tokens"].post);
    assert(doc.paths["/api/v1/tokens/{id}"].delete);
    assertEquals(doc.components.securitySchemes.bearer.scheme, "bearer");
  } finally {
    await s.close();
  }
});
