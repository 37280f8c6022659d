/**
 * Golden histories: each fixtures/workflows/*.json runs in virtual time with scripted task
 * outcomes; the history's shape (type + state path), status and output must equal
 * fixtures/golden/<name>.json. `UPDATE_GOLDEN=1 deno test -A …` rewrites the golden files.
 */
import { assertEquals } from "../../../tests/helpers/assert.ts";
import { simulate, type TaskOutcome } from "./simulate.ts";
import { validateDsl } from "../dsl/validate.ts";
import type { Dsl } from "../dsl/schema.ts";

const ROOT = new URL("../../../fixtures/", import.meta.url);
const update = Deno.env.get("UPDATE_GOLDEN") === "1";

interface Fixture {
  description: string;
  input: unknown;
  tasks: Record<string, TaskOutcome[]>;
  dsl: Dsl;
}

for (
  const entry of [...Deno.readDirSync(new URL("workflows/", ROOT))].sort((a, b) =>
    a.name.localeCompare(b.name)
  )
) {
  if (!entry.name.endsWith(".json")) continue;
  const name = entry.name.replace(/\.json$/, "");
  Deno.test(`golden history: ${name} replays to the recorded shape, status and output`, async () => {
    const fx = JSON.parse(await Deno.readTextFile(new URL(`workflows/${entry.name}`, ROOT))) as Fixture;
    const check = await validateDsl(fx.dsl);
    assertEquals(check.diagnostics.filter((d) => d.severity === "error"), []);
    const queues = new Map(Object.entries(fx.tasks).map(([k, v]) => [k, [...v]]));
    const sim = await simulate(fx.dsl, {
      input: fx.input,
      tasks: (t) => queues.get(t.action)?.shift() ?? { output: t.input },
    });
    const actual = {
      status: sim.exec.status,
      output: sim.exec.output ?? null,
      error: sim.exec.error ?? null,
      history: sim.shape(),
    };
    const file = new URL(`golden/${name}.json`, ROOT);
    if (update) await Deno.writeTextFile(file, JSON.stringify(actual, null, 2) + "\n");
    assertEquals(actual, JSON.parse(await Deno.readTextFile(file)));
  });
}
