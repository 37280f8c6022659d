import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import { fromDsl, toDsl, toDslText } from "./convert.ts";
import { edges } from "./graph.ts";
import { bigWorkflow } from "./testdata/big.ts";
import type { NodeRec, ScopeRec } from "./types.ts";

const TESTDATA = new URL("./testdata/", import.meta.url);
const REPO_FIXTURES = new URL("../../../fixtures/", import.meta.url);

async function jsonFiles(
  dir: URL,
): Promise<Array<{ name: string; value: unknown }>> {
  const out: Array<{ name: string; value: unknown }> = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      const url = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
      if (e.isDirectory) out.push(...await jsonFiles(url));
      else if (e.name.endsWith(".json")) {
        out.push({
          name: url.pathname,
          value: JSON.parse(await Deno.readTextFile(url)),
        });
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out;
}

/** Workflow-shaped JSON (a DSL, or an object whose dsl member is one) found in a fixture file. */
function workflowsIn(value: unknown): unknown[] {
  if (!value || typeof value !== "object") return [];
  const v = value as Record<string, unknown>;
  if (v.states && typeof v.states === "object") return [v];
  if (v.dsl && typeof v.dsl === "object") return workflowsIn(v.dsl);
  return [];
}

Deno.test("fromDsl/toDsl round-trips every workflow fixture losslessly", async () => {
  const files = [
    ...await jsonFiles(TESTDATA),
    ...await jsonFiles(REPO_FIXTURES),
  ];
  let count = 0;
  for (const f of files) {
    for (const dsl of workflowsIn(f.value)) {
      assertEquals(toDsl(fromDsl(dsl)), dsl, `round trip of ${f.name}`);
      count++;
    }
  }
  const repoWorkflows = (await jsonFiles(new URL("workflows/", REPO_FIXTURES))).length;
  assert(
    count >= 3 + repoWorkflows,
    `expected the 3 studio fixtures and ${repoWorkflows} repo workflows, got ${count}`,
  );
});

Deno.test("round trip keeps state order and key order of nested branches and processors", async () => {
  const text = await Deno.readTextFile(new URL("nested.json", TESTDATA));
  const dsl = JSON.parse(text);
  assertEquals(
    toDslText(fromDsl(dsl)),
    JSON.stringify(dsl, null, 2).replace(/\n\s*\n/g, "\n"),
  );
});

Deno.test("nested parallel branches and map processors become scopes owned by their state", async () => {
  const doc = fromDsl(
    JSON.parse(await Deno.readTextFile(new URL("nested.json", TESTDATA))),
  );
  const nodes = Object.values(doc.records).filter((r): r is NodeRec => r.kind === "node");
  const fan = nodes.find((n) => n.name === "Fan")!;
  assertEquals(fan.children?.length, 2);
  const branch2 = doc.records[fan.children![1]] as ScopeRec;
  assertEquals(branch2.extra, { comment: "per item" });
  const each = nodes.find((n) => n.name === "EachItem")!;
  assertEquals(each.scope, branch2.id);
  assertEquals((doc.records[each.children![0]] as ScopeRec).slot, "processor");
  assertEquals(nodes.length, 9);
});

Deno.test("edges are derived from next, routes, default and catch", async () => {
  const doc = fromDsl(
    JSON.parse(await Deno.readTextFile(new URL("order.json", TESTDATA))),
  );
  const kinds = edges(doc).map((e) => e.kind).sort();
  assertEquals(kinds, [
    "catch:0",
    "default",
    "next",
    "next",
    "route:0",
    "route:1",
  ]);
});

Deno.test("malformed branches are kept verbatim and still round-trip", () => {
  const dsl = {
    entry: "P",
    states: {
      P: { type: "parallel", branches: [{ states: 3 }], end: true },
      Q: { type: "map", processor: "x" },
    },
  };
  const doc = fromDsl(dsl);
  assertEquals(toDsl(doc), dsl);
  assertEquals(
    Object.values(doc.records).filter((r) => r.kind === "scope").length,
    1,
  );
});

Deno.test("a missing or non-string entry round-trips without being invented", () => {
  assertEquals(toDsl(fromDsl({ states: { A: { type: "succeed" } } })), {
    states: { A: { type: "succeed" } },
  });
  const odd = { entry: 7, states: { A: { type: "succeed" } } };
  assertEquals(toDsl(fromDsl(odd)), odd as never);
});

Deno.test("fromDsl rejects documents that are not workflows", () => {
  for (
    const bad of [null, [], { states: [] }, { states: { A: 1 } }, {
      states: { A: { next: "B" } },
    }]
  ) {
    let threw = false;
    try {
      fromDsl(bad);
    } catch (err) {
      threw = (err as Error).name === "ModelError";
    }
    assert(threw, `should reject ${JSON.stringify(bad)}`);
  }
});

Deno.test("re-import with previous keeps node ids and positions of surviving states", () => {
  const first = fromDsl(bigWorkflow(30));
  const records = { ...first.records };
  const step5 = Object.values(records).find((r) => r.kind === "node" && r.name === "Step005") as NodeRec;
  records[step5.id] = { ...step5, pos: { x: 11, y: 22 } };
  const dsl = toDsl({ records });
  delete dsl.states.Step001;
  const second = fromDsl(dsl, { previous: { records } });
  const again = Object.values(second.records).find((r) =>
    r.kind === "node" && r.name === "Step005"
  ) as NodeRec;
  assertEquals(again.id, step5.id);
  assertEquals(again.pos, { x: 11, y: 22 });
  assertEquals(
    new Set(Object.keys(second.records)).size,
    Object.keys(second.records).length,
  );
});

Deno.test("a 200-state generated workflow round-trips", () => {
  const dsl = bigWorkflow(200);
  assertEquals(toDsl(fromDsl(dsl)), dsl);
});
