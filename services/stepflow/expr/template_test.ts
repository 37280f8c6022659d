import { assertEquals } from "../../../tests/helpers/assert.ts";
import jsonata from "jsonata";
import { compileExpression } from "./template.ts";

Deno.test("plain field paths give exactly JSONata's result, including arrays, primitives and missing fields", async () => {
  const data = {
    input: {
      orderId: "123",
      qty: 3,
      nested: { deep: { x: 1 }, list: [1, 2] },
      items: [{ sku: "a", n: { v: 1 } }, { sku: "b", n: { v: 2 } }],
      one: [{ sku: "only" }],
      empty: [],
      nil: null,
      text: "abc",
      and: 5,
    },
    vars: { vip: true, list: [[1], [2, 3]] },
  };
  const paths = [
    "input",
    "input.orderId",
    "input.qty",
    "input.nested.deep",
    "input.nested.deep.x",
    "input.nested.list",
    "input.items",
    "input.items.sku",
    "input.items.n.v",
    "input.one",
    "input.one.sku",
    "input.empty",
    "input.nil",
    "input.nil.x",
    "input.text.length",
    "input.missing",
    "input.missing.deeper",
    "vars.vip",
    "vars.list",
    "input.and",
    "nothing",
  ];
  for (const p of paths) {
    const expected = await jsonata(p).evaluate(data);
    const actual = await compileExpression(p)(data);
    assertEquals(JSON.stringify(actual), JSON.stringify(expected), p);
  }
  // Data roots that are not objects.
  for (const root of [null, 7, "s", [{ input: 1 }, { input: 2 }]]) {
    assertEquals(
      JSON.stringify(await compileExpression("input")(root)),
      JSON.stringify(await jsonata("input").evaluate(root)),
      JSON.stringify(root),
    );
  }
});
