import assert from "node:assert/strict";
import { createConnectorRegistry } from "./registry.ts";
import {
  compileIncludes,
  CONNECTOR_KINDS,
  parseConnectorSelection,
  readConnectorSelection,
} from "../connectors_toml.ts";
import { ConnectorUnavailableError } from "../errors.ts";
import { inProcess } from "../../../tests/helpers/inprocess.ts";
import { createOpenActService } from "../mod.ts";

Deno.test("connectors.toml selects kinds; unknown kinds and non-booleans are refused by name", async () => {
  const sel = parseConnectorSelection("[connectors]\nhttp = true\nkafka = false\nfs = true\n");
  assert.deepEqual([...sel.kinds].sort(), ["fs", "http"]);
  assert.deepEqual(compileIncludes(sel), [
    "connectors.toml",
    "services/openact/connectors/http.ts",
    "services/openact/connectors/fs.ts",
  ]);
  assert.throws(
    () => parseConnectorSelection("[connectors]\nftp = true\n"),
    /connectors\.ftp: unknown connector/,
  );
  assert.throws(
    () => parseConnectorSelection("[connectors]\nhttp = 1\n"),
    /connectors\.http: must be true or false/,
  );
  assert.throws(() => parseConnectorSelection("[other]\n"), /only \[connectors\] is read/);
  const repo = await readConnectorSelection(new URL("../../../connectors.toml", import.meta.url));
  assert.deepEqual(
    [...repo.kinds].sort(),
    [...CONNECTOR_KINDS].sort(),
    "the repo's file selects every connector",
  );
  const missing = await readConnectorSelection("/nonexistent/connectors.toml");
  assert.equal(missing.kinds.size, CONNECTOR_KINDS.length);
});

Deno.test("the registry loads a connector once, lazily, and explains unselected or missing ones", async () => {
  let loads = 0;
  const registry = createConnectorRegistry({
    selection: { kinds: new Set(["http", "ghost"]), source: "test.toml" },
    loaders: {
      ghost: () => Promise.reject(new TypeError('Module not found "file:///x/ghost.ts"')),
      http: () => {
        loads++;
        return import("./http.ts");
      },
    },
  });
  assert.equal(registry.loaded().length, 0, "nothing loads at start");
  const [a, b] = await Promise.all([registry.get("http"), registry.get("http")]);
  assert.equal(a, b);
  assert.equal(loads, 1);
  await assert.rejects(
    registry.get("kafka"),
    (err: Error) =>
      err instanceof ConnectorUnavailableError &&
      /not selected in this build \(test\.toml\).*kafka = true/.test(err.message),
  );
  await assert.rejects(
    registry.get("ghost"),
    /not part of this build: enable it in connectors\.toml and rebuild/,
  );
  await assert.rejects(registry.get("ftp"), /unknown connector kind 'ftp'/);
  assert.equal(registry.isSelected("kafka"), false);
});

Deno.test("a server whose connectors.toml leaves a kind out refuses it with a 400 naming the file", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/connectors.toml`, "[connectors]\nhttp = true\n");
  const app = await inProcess({
    services: [createOpenActService],
    env: { AIONIX_CONNECTORS_FILE: `${dir}/connectors.toml` },
  });
  try {
    const res = await app.json<{ detail: string; connector: string }>("POST", "/api/v1/connections", {
      name: "pg",
      kind: "postgres",
      settings: {},
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.connector, "postgres");
    assert.match(res.body.detail, /not selected in this build .*connectors\.toml/);
    const list = await app.json<{ items: { kind: string; selected: boolean }[] }>(
      "GET",
      "/api/v1/connectors",
    );
    assert.deepEqual(list.body.items.filter((i) => i.selected).map((i) => i.kind), ["http"]);
    const info = await app.json<{ operations: Record<string, unknown> }>("GET", "/api/v1/connectors/http");
    assert.ok(info.body.operations.request);
  } finally {
    await app.close();
    await Deno.remove(dir, { recursive: true });
  }
});
