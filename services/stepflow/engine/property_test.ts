/**
 * Property tests: (1) templating — literal values pass through unchanged and `{% input %}`
 * returns the value it is given; (2) the engine agrees with a small reference interpreter
 * on random flows of set/router/parallel/map/fail/succeed states (outputs, variable scoping,
 * failures).
 */
import fc from "fast-check";
import { assertEquals } from "../../../tests/helpers/assert.ts";
import { compileTemplate } from "../expr/template.ts";
import { simulate } from "./simulate.ts";
import type { Dsl } from "../dsl/schema.ts";

const literal = fc.jsonValue().filter((v) => !JSON.stringify(v).includes("{%"));

Deno.test("property: templates without expressions evaluate to themselves", async () => {
  await fc.assert(
    fc.asyncProperty(literal, async (v) => {
      assertEquals(await compileTemplate(v).evaluate({}), v);
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: {% input.v %} inside any structure yields the bound value", async () => {
  const value = fc.oneof(
    fc.integer(),
    fc.string(),
    fc.boolean(),
    fc.dictionary(fc.string({ minLength: 1 }), fc.integer(), { noNullPrototype: true }),
  );
  await fc.assert(
    fc.asyncProperty(
      value,
      fc.array(fc.string({ minLength: 1, maxLength: 5 }), { maxLength: 3 }),
      async (v, keys) => {
        let tpl: unknown = "{% input.v %}";
        let expected: unknown = v;
        for (const k of keys) {
          tpl = { [k]: tpl, lit: 1 };
          expected = { [k]: expected, lit: 1 };
        }
        assertEquals(await compileTemplate(tpl).evaluate({ input: { v } }), expected);
      },
    ),
    { numRuns: 300 },
  );
});

type Node =
  | { kind: "set"; a: number; b: number; assign: boolean; next: number }
  | { kind: "router"; m: number; r: number; then: number; else: number }
  | { kind: "par"; a1: number; a2: number; next: number }
  | { kind: "map"; a: number; next: number }
  | { kind: "fail"; code: number }
  | { kind: "succeed" };

const small = fc.integer({ min: 0, max: 9 });

function graph(): fc.Arbitrary<Node[]> {
  return fc.integer({ min: 2, max: 9 }).chain((n) => {
    const target = (i: number) => fc.integer({ min: i + 1, max: n - 1 });
    const nodes = Array.from({ length: n - 1 }, (_, i) =>
      fc.oneof(
        fc.record({
          kind: fc.constant("set" as const),
          a: small,
          b: small,
          assign: fc.boolean(),
          next: target(i),
        }),
        fc.record({
          kind: fc.constant("router" as const),
          m: fc.integer({ min: 1, max: 4 }),
          r: fc.integer({ min: 0, max: 3 }),
          then: target(i),
          else: target(i),
        }),
        fc.record({ kind: fc.constant("par" as const), a1: small, a2: small, next: target(i) }),
        fc.record({ kind: fc.constant("map" as const), a: small, next: target(i) }),
        fc.record({ kind: fc.constant("fail" as const), code: small }),
      ) as fc.Arbitrary<Node>);
    return fc.tuple(...nodes).map((ns) => [...ns, { kind: "succeed" as const }]);
  });
}

const S = (i: number) => `S${i}`;
const setOut = (expr: string) => ({ type: "set", output: { expression: `{% ${expr} %}` }, end: true });

function toDsl(nodes: Node[]): Dsl {
  const states: Record<string, unknown> = {};
  nodes.forEach((n, i) => {
    switch (n.kind) {
      case "set":
        states[S(i)] = {
          type: "set",
          output: { expression: `{% (input * ${n.a} + ${n.b}) % 1000 %}` },
          ...(n.assign ? { assign: { acc: "{% (vars.acc ? vars.acc : 0) + input %}" } } : {}),
          next: S(n.next),
        };
        break;
      case "router":
        states[S(i)] = {
          type: "router",
          routes: [{ condition: `{% input % ${n.m} = ${n.r} %}`, next: S(n.then) }],
          default: S(n.else),
        };
        break;
      case "par":
        states[S(i)] = {
          type: "parallel",
          branches: [
            { entry: "A", states: { A: { ...setOut(`input * ${n.a1}`), assign: { acc: 999 } } } },
            { entry: "B", states: { B: setOut(`input + ${n.a2}`) } },
          ],
          output: { expression: "{% $sum(result) % 1000 %}" },
          next: S(n.next),
        };
        break;
      case "map":
        states[S(i)] = {
          type: "map",
          items: "{% [input, input + 1] %}",
          processor: { entry: "M", states: { M: { ...setOut(`input * ${n.a}`), assign: { acc: 777 } } } },
          output: { expression: "{% $sum(result) % 1000 %}" },
          next: S(n.next),
        };
        break;
      case "fail":
        states[S(i)] = { type: "fail", error: `E${n.code}`, cause: "{% 'at ' & $string(input) %}" };
        break;
      case "succeed":
        states[S(i)] = { type: "succeed", output: { expression: "{% {'v': input, 'acc': vars.acc} %}" } };
        break;
    }
  });
  return { entry: "S0", states } as unknown as Dsl;
}

function reference(nodes: Node[], input: number) {
  let x = input;
  let acc: number | undefined;
  let i = 0;
  for (;;) {
    const n = nodes[i];
    switch (n.kind) {
      case "set":
        if (n.assign) acc = (acc ?? 0) + x;
        x = (x * n.a + n.b) % 1000;
        i = n.next;
        break;
      case "router":
        i = x % n.m === n.r ? n.then : n.else;
        break;
      case "par":
        x = (x * n.a1 + x + n.a2) % 1000;
        i = n.next;
        break;
      case "map":
        x = (x * n.a + (x + 1) * n.a) % 1000;
        i = n.next;
        break;
      case "fail":
        return { status: "failed", error: `E${n.code}`, cause: `at ${x}` };
      case "succeed":
        return { status: "succeeded", output: acc === undefined ? { v: x } : { v: x, acc } };
    }
  }
}

Deno.test("property: the engine matches a reference interpreter on random set/router/parallel/map/fail flows", async () => {
  await fc.assert(
    fc.asyncProperty(graph(), fc.integer({ min: 0, max: 999 }), async (nodes, input) => {
      const sim = await simulate(toDsl(nodes), { input });
      const want = reference(nodes, input);
      const got = sim.exec.status === "succeeded"
        ? { status: "succeeded", output: sim.exec.output }
        : { status: sim.exec.status, error: sim.exec.error, cause: sim.exec.cause };
      assertEquals(got, want);
    }),
    { numRuns: 300 },
  );
});
