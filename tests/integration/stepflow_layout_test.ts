/**
 * Studio's node positions stored with each template version, over real HTTP against the real
 * server: POST/PUT/GET round trips, each version keeping its own layout, a PUT without one, and
 * bad layouts refused as 400s naming the field without storing anything.
 */
import { assertEquals } from "../helpers/assert.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

const dsl = {
  entry: "A",
  states: {
    A: { type: "set", output: { expression: { n: "{% input.n + 1 %}" } }, next: "Par" },
    Par: {
      type: "parallel",
      branches: [
        { entry: "B", states: { B: { type: "set", output: { expression: { b: 1 } }, end: true } } },
        { entry: "C", states: { C: { type: "set", output: { expression: { c: 2 } }, end: true } } },
      ],
      next: "Done",
    },
    Done: { type: "succeed" },
  },
};
type Layout = Record<string, { x: number; y: number }>;
type Tpl = { version: number; layout?: Layout; dsl?: unknown };
type Problem = { errors: { path: string; message: string }[] };

const layout1: Layout = {
  A: { x: 10, y: 20 },
  Par: { x: -35.5, y: 140 },
  "Par/branch[0]/B": { x: 20, y: 40 },
  "Par/branch[1]/C": { x: 20, y: 40 },
  Done: { x: 300, y: 520 },
  "Gone/state": { x: 1, y: 2 }, // a state that does not exist: kept, harmless
};

async function get(s: TestServer, path: string): Promise<Tpl> {
  const r = await s.json<Tpl>("GET", path);
  assertEquals(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

Deno.test("template layouts: POST/PUT/GET round trip, one per version, none after a PUT without one", async () => {
  const s = await startServer();
  try {
    const created = await s.json<Tpl>("POST", "/api/v1/templates", { name: "laid", dsl, layout: layout1 });
    assertEquals(created.status, 201, JSON.stringify(created.body));
    assertEquals(created.body.layout, layout1);
    assertEquals((await get(s, "/api/v1/templates/laid")).layout, layout1);

    const layout2: Layout = { ...layout1, A: { x: 400, y: 0 }, Done: { x: 0, y: 999 } };
    const v2 = await s.json<Tpl>("PUT", "/api/v1/templates/laid", { dsl, layout: layout2 });
    assertEquals([v2.status, v2.body.version, v2.body.layout], [200, 2, layout2]);
    const v3 = await s.json<Tpl>("PUT", "/api/v1/templates/laid", { dsl, description: "from the CLI" });
    assertEquals([v3.status, v3.body.version, "layout" in v3.body], [200, 3, false]);
    const v4 = await s.json<Tpl>("PUT", "/api/v1/templates/laid", { dsl, layout: null });
    assertEquals([v4.status, v4.body.version, "layout" in v4.body], [200, 4, false]);

    assertEquals((await get(s, "/api/v1/templates/laid?version=1")).layout, layout1);
    assertEquals((await get(s, "/api/v1/templates/laid?version=2")).layout, layout2);
    assertEquals("layout" in await get(s, "/api/v1/templates/laid?version=3"), false);
    assertEquals("layout" in await get(s, "/api/v1/templates/laid"), false);
    assertEquals((await get(s, "/api/v1/templates/laid:2")).layout, layout2);
    const list = await s.json<{ items: Tpl[] }>("GET", "/api/v1/templates");
    assertEquals(list.body.items.map((t) => "layout" in t || "dsl" in t), [false]);

    // Presentational only: the engine runs the version that carries a layout as usual.
    const run = await s.json<{ status: string }>("POST", "/api/v1/templates/laid/executions", {
      input: { n: 1 },
      mode: "sync",
      version: 2,
    });
    assertEquals([run.status, run.body.status], [200, "succeeded"]);

    // deno-lint-ignore no-explicit-any
    const doc = (await s.json<any>("GET", "/api/openapi.json")).body;
    assertEquals(doc.components.schemas.StepFlowTemplate.properties.layout, {
      $ref: "#/components/schemas/StepFlowLayout",
    });
    for (const [path, method] of [["/api/v1/templates", "post"], ["/api/v1/templates/{name}", "put"]]) {
      const body = doc.paths[path][method].requestBody.content["application/json"].schema;
      assertEquals(body.properties.layout.type, ["object", "null"], `${method} ${path}`);
    }
  } finally {
    await s.stop();
  }
});

Deno.test("template layouts: a bad layout is a 400 naming the field and stores nothing", async () => {
  const s = await startServer();
  try {
    const tooMany: Layout = {};
    for (let i = 0; i <= 10_000; i++) tooMany[`S${i}`] = { x: i, y: i };
    const longKey = "K".repeat(1025);
    const cases: Array<[unknown, string]> = [
      [{ A: { x: "1", y: 0 } }, "/layout/A/x"],
      [{ A: { x: 1 } }, "/layout/A/y"],
      [{ A: { x: 1, y: 2, z: 3 } }, "/layout/A/z"],
      [{ A: [1, 2] }, "/layout/A"],
      [{ "Par/branch[0]/B": { x: null, y: 1 } }, "/layout/Par~1branch[0]~1B/x"],
      [{ [longKey]: { x: 1, y: 1 } }, `/layout/${longKey}`],
      [tooMany, "/layout"],
      [[{ x: 1, y: 2 }], "/layout"],
      ["A", "/layout"],
    ];
    for (const [layout, path] of cases) {
      const r = await s.json<Problem>("POST", "/api/v1/templates", { name: "bad", dsl, layout });
      assertEquals(r.status, 400, `${path}: ${JSON.stringify(r.body).slice(0, 200)}`);
      assertEquals(r.body.errors.map((e) => e.path), [path]);
    }
    // JSON has no Infinity, but 1e999 parses to it.
    const inf = await s.api(
      "POST",
      "/api/v1/templates",
      `{"name":"bad","dsl":${JSON.stringify(dsl)},"layout":{"A":{"x":1e999,"y":0}}}`,
    );
    assertEquals(inf.status, 400);
    assertEquals(((await inf.json()) as Problem).errors.map((e) => [e.path, e.message]), [[
      "/layout/A/x",
      "use a finite number",
    ]]);
    assertEquals((await s.json("GET", "/api/v1/templates/bad")).status, 404);

    const ok = await s.json("POST", "/api/v1/templates", {
      name: "good",
      dsl,
      layout: { A: { x: 1, y: 2 } },
    });
    assertEquals(ok.status, 201);
    for (const [layout, path] of cases) {
      const r = await s.json<Problem>("PUT", "/api/v1/templates/good", { dsl, layout });
      assertEquals(r.status, 400, path);
      assertEquals(r.body.errors.map((e) => e.path), [path]);
    }
    const versions = await s.json<{ items: unknown[] }>("GET", "/api/v1/templates/good/versions");
    assertEquals(versions.body.items.length, 1);
    assertEquals((await get(s, "/api/v1/templates/good")).layout, { A: { x: 1, y: 2 } });
  } finally {
    await s.stop();
  }
});
