/** Writes stepflow.schema.json from the zod DSL schema: `deno run -A services/stepflow/dsl/gen_schema.ts`. */
import { dslJsonSchema } from "./schema.ts";

export const SCHEMA_FILE = new URL("./stepflow.schema.json", import.meta.url);

export function schemaText(): string {
  return JSON.stringify(dslJsonSchema(), null, 2) + "\n";
}

if (import.meta.main) {
  await Deno.writeTextFile(SCHEMA_FILE, schemaText());
  console.log(`wrote ${SCHEMA_FILE.pathname}`);
}
