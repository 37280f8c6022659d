import { assertEquals } from "../../tests/helpers/assert.ts";
import { migrate, openSqlite } from "../../runtime/storage/mod.ts";
import { migrations, StepFlowStore, type TemplateRow } from "./store.ts";

const row: TemplateRow = {
  id: "t1",
  tenant: "default",
  name: "flow",
  latest: 1,
  description: "",
  created_at: "2026-01-01T00:00:00.000Z",
  updated_at: "2026-01-01T00:00:00.000Z",
};

Deno.test("migration 2 adds the layout column: versions stored before it have none", async () => {
  const db = openSqlite(":memory:");
  await migrate(db, "stepflow", migrations.slice(0, 1));
  db.run(
    "INSERT INTO stepflow_template_versions (template_id, version, dsl, description, created_at) VALUES (?, ?, ?, ?, ?)",
    "old",
    1,
    "{}",
    "",
    row.created_at,
  );
  assertEquals(await migrate(db, "stepflow", migrations), [2]);
  const store = new StepFlowStore(db);
  assertEquals({ ...store.versionView("old", 1) }, { dsl: "{}", description: "", layout: null });
  // Starting an execution reads the DSL only.
  assertEquals(Object.keys(store.versionDsl("old", 1)!), ["dsl", "description", "created_at"]);
});

Deno.test("each template version stores its own layout (or none)", async () => {
  const db = openSqlite(":memory:");
  await migrate(db, "stepflow", migrations);
  const store = new StepFlowStore(db);
  store.createTemplate(row, { dsl: "{}", layout: '{"A":{"x":1,"y":2}}' });
  const now = row.created_at;
  assertEquals(store.addVersion(row, { dsl: "{}", description: "", layout: null, now }), 2);
  assertEquals(store.addVersion(row, { dsl: "{}", description: "", layout: '{"A":{"x":3,"y":4}}', now }), 3);
  assertEquals([1, 2, 3].map((v) => store.versionView("t1", v)?.layout), [
    '{"A":{"x":1,"y":2}}',
    null,
    '{"A":{"x":3,"y":4}}',
  ]);
});
