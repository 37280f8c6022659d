import { dslJsonSchema, DslSchema } from "./dsl/schema.ts";
console.log(JSON.stringify(dslJsonSchema()).length);
console.log(JSON.stringify(dslJsonSchema(), null, 1).slice(0, 3000));
const r = DslSchema.safeParse({
  entry: "A",
  states: { A: { type: "parallel", branches: [{ entry: "B", states: { B: { type: "zz" } } }], end: true } },
});
console.log(JSON.stringify(r.error?.issues));
