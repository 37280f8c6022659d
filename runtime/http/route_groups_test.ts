import { createRoute, z } from "@hono/zod-openapi";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../tests/helpers/assert.ts";
import { inProcess } from "../../tests/helpers/inprocess.ts";
import type { ServiceDeps } from "../service.ts";
import type { ApiApp } from "./app.ts";

/** A service whose only routes live in a group that counts its mounts. */
function countingService(state: { mounts: number; fail?: boolean; delayMs?: number }) {
  return (deps: ServiceDeps) => ({
    name: "counting",
    migrations: [],
    mount() {
      deps.http.routes({
        name: "counting",
        prefixes: ["/api/v1/things"],
        mount: async (app: ApiApp) => {
          state.mounts++;
          if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
          if (state.fail) throw new Error("routes module failed to load");
          app.openapi(
            createRoute({
              method: "post",
              path: "/api/v1/things",
              tags: ["things"],
              request: {
                body: { content: { "application/json": { schema: z.strictObject({ name: z.string() }) } } },
              },
              responses: { 201: { description: "Created" } },
            }),
            (c) => c.json({ made: c.req.valid("json").name, tenant: c.get("tenant") }, 201),
          );
        },
      });
    },
  });
}

Deno.test("a route group mounts on the first request under its prefix, once, even when requests race", async () => {
  const state = { mounts: 0, delayMs: 30 };
  const s = await inProcess({ services: [countingService(state)] });
  try {
    assertEquals((await s.request("GET", "/api/v1/whoami")).status, 200);
    assertEquals((await s.request("GET", "/api/v1/thingsandmore")).status, 404);
    assertEquals(state.mounts, 0, "requests outside the prefix do not mount the group");
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => s.json("POST", "/api/v1/things", { name: `n${i}` })),
    );
    assertEquals(results.map((r) => r.status), [201, 201, 201, 201, 201]);
    assertEquals(results.map((r) => (r.body as { made: string }).made), ["n0", "n1", "n2", "n3", "n4"]);
    assertEquals((results[0].body as { tenant: string }).tenant, "default", "kernel auth ran for the route");
    assertEquals(state.mounts, 1);
    // Kernel behaviour applies to mounted routes: validation, 405 with Allow, auth.
    const bad = await s.json<{ errors: { path: string }[] }>("POST", "/api/v1/things", { name: 1 });
    assertEquals([bad.status, bad.body.errors[0].path], [400, "/name"]);
    const wrong = await s.request("DELETE", "/api/v1/things");
    assertEquals([wrong.status, wrong.headers.get("allow")], [405, "POST"]);
    assertEquals(
      (await s.request("POST", "/api/v1/things", { name: "x" }, { authorization: "" })).status,
      401,
    );
  } finally {
    await s.close();
  }
});

Deno.test("a group that fails to mount answers 500 problem+json and is retried by the next request", async () => {
  const state = { mounts: 0, fail: true };
  const s = await inProcess({ services: [countingService(state)] });
  try {
    const failed = await s.request("POST", "/api/v1/things", { name: "x" });
    assertEquals(failed.status, 500);
    assertEquals(failed.headers.get("content-type"), "application/problem+json");
    assertEquals(
      (await failed.json()).detail.includes("routes module failed"),
      false,
      "internals stay hidden",
    );
    state.fail = false;
    assertEquals((await s.request("POST", "/api/v1/things", { name: "x" })).status, 201);
    assertEquals(state.mounts, 2);
  } finally {
    await s.close();
  }
});

Deno.test("/api/openapi.json documents groups that no request has mounted yet", async () => {
  const state = { mounts: 0 };
  const s = await inProcess({ services: [countingService(state)] });
  try {
    const doc = await (await s.request("GET", "/api/openapi.json", undefined, { authorization: "" })).json();
    assert(doc.paths["/api/v1/things"].post);
    assert(doc.paths["/api/v1/tokens"].post);
    assertEquals(state.mounts, 1);
    assertStringIncludes(JSON.stringify(doc.components.securitySchemes), "bearer");
  } finally {
    await s.close();
  }
});

Deno.test("two groups cannot claim the same prefix", async () => {
  const claim = (deps: ServiceDeps) => ({
    name: "dup",
    migrations: [],
    mount() {
      deps.http.routes({ name: "dup", prefixes: ["/api/v1/things"], mount: () => {} });
    },
  });
  await assertRejects(
    () => inProcess({ services: [countingService({ mounts: 0 }), claim] }),
    Error,
    "route prefix '/api/v1/things' is claimed by counting and dup",
  );
});
