import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import { validateDsl } from "./validate.ts";
import { SCHEMA_FILE, schemaText } from "./gen_schema.ts";

const codes = async (dsl: unknown, opts = {}) =>
  (await validateDsl(dsl, opts)).diagnostics.map((d) => `${d.severity} ${d.code} ${d.path}`);

Deno.test("stepflow.schema.json is up to date with the zod schema (regenerate with dsl/gen_schema.ts)", async () => {
  assertEquals(await Deno.readTextFile(SCHEMA_FILE), schemaText());
});

Deno.test("a valid flow has no diagnostics", async () => {
  const r = await validateDsl({
    entry: "A",
    states: {
      A: { type: "task", action: "http", parameters: { url: "{% input.url %}" }, next: "B" },
      B: { type: "succeed" },
    },
  });
  assertEquals(r, { valid: true, diagnostics: [], dsl: r.dsl });
});

Deno.test("schema errors carry JSON pointers; unknown state types list the valid ones", async () => {
  const r = await validateDsl({
    entry: "A",
    states: { A: { type: "tsk" }, B: { type: "set", end: true, bogus: 1 } },
  });
  assertEquals(r.valid, false);
  assertEquals(r.diagnostics.map((d) => d.path).sort(), ["/states/A/type", "/states/B/bogus"]);
  assert(
    r.diagnostics.some((d) => d.message.includes("task, parallel, map, router, wait, set, succeed, fail")),
  );
  const missing = await validateDsl({ states: {} });
  assertEquals(missing.diagnostics[0].path, "/entry");
});

Deno.test("graph rules: unknown targets, unreachable states, missing transitions, no terminal", async () => {
  assertEquals(
    await codes({
      entry: "A",
      states: {
        A: { type: "set", next: "Nope" },
        B: { type: "set" },
        C: { type: "router", routes: [{ condition: true, next: "A" }], default: "Gone" },
      },
    }),
    [
      "error UNKNOWN_TARGET /states/A/next",
      "error MISSING_TRANSITION /states/B",
      "error UNREACHABLE /states/B",
      "error UNKNOWN_TARGET /states/C/default",
      "error UNREACHABLE /states/C",
      "error NO_TERMINAL /states",
    ].sort((a, b) => a.split(" ")[2].localeCompare(b.split(" ")[2])),
  );
  assertEquals(await codes({ entry: "X", states: { A: { type: "succeed" } } }), [
    "error UNKNOWN_ENTRY /entry",
  ]);
});

Deno.test("JSONata syntax errors are reported at the exact string", async () => {
  const r = await validateDsl({
    entry: "A",
    states: { A: { type: "set", output: { expression: { x: ["ok", "{% input.( %}"] } }, end: true } },
  });
  assertEquals(r.diagnostics.map((d) => [d.code, d.path]), [[
    "EXPRESSION_SYNTAX",
    "/states/A/output/expression/x/1",
  ]]);
});

Deno.test("States.ALL must be alone and last in retry and catch", async () => {
  assertEquals(
    await codes({
      entry: "T",
      states: {
        T: {
          type: "task",
          action: "http",
          retry: [{ errors: ["States.ALL", "X"] }],
          catch: [{ errors: ["States.ALL"], next: "E" }, { errors: ["Y"], next: "E" }],
          end: true,
        },
        E: { type: "succeed" },
      },
    }),
    ["error CATCH_ALL_NOT_LAST /states/T/catch/0", "error RETRY_ALL_NOT_ALONE /states/T/retry/0/errors"],
  );
});

Deno.test("map and parallel sub-graphs are checked recursively and nesting depth is limited", async () => {
  const inner = { entry: "I", states: { I: { type: "set", next: "Missing" } } };
  assertEquals(
    await codes({
      entry: "P",
      states: {
        P: {
          type: "parallel",
          branches: [{ entry: "M", states: { M: { type: "map", processor: inner, end: true } } }],
          end: true,
        },
      },
    }),
    [
      "error UNKNOWN_TARGET /states/P/branches/0/states/M/processor/states/I/next",
      "error NO_TERMINAL /states/P/branches/0/states/M/processor/states",
    ].sort(),
  );
  const deep = await codes({
    entry: "P",
    states: {
      P: { type: "parallel", branches: [{ entry: "S", states: { S: { type: "succeed" } } }], end: true },
    },
  }, { maxDepth: 0 });
  assertEquals(deep, ["error NESTING_TOO_DEEP /states/P/branches/0"]);
});

Deno.test("unknown actions are validation errors", async () => {
  const r = await validateDsl(
    { entry: "T", states: { T: { type: "task", action: "fn:nope", end: true } } },
    { actionExists: (a) => a === "http" },
  );
  assertEquals(r.diagnostics.map((d) => [d.code, d.path]), [["UNKNOWN_ACTION", "/states/T/action"]]);
});

Deno.test("wait needs exactly one of seconds or timestamp", async () => {
  assertEquals(await codes({ entry: "W", states: { W: { type: "wait", end: true } } }), [
    "error WAIT_SPEC /states/W",
  ]);
  assertEquals(await codes({ entry: "W", states: { W: { type: "wait", timestamp: "soon", end: true } } }), [
    "error WAIT_SPEC /states/W/timestamp",
  ]);
});
