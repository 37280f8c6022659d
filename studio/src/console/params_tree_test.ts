import { assertEquals } from "../../../tests/helpers/assert.ts";
import { ancestors, buildTree, visibleRows } from "./params_tree.ts";

const items = [
  { path: "/app/db/host" },
  { path: "/app/db/port" },
  { path: "/app/name" },
  { path: "/app/db" },
  { path: "/zeta" },
];

Deno.test("buildTree nests paths, counts parameters and lists folders before leaves", () => {
  const root = buildTree(items);
  assertEquals(root.count, 5);
  assertEquals(root.children.map((c) => c.name), ["app", "zeta"]);
  const app = root.children[0];
  assertEquals(app.count, 4);
  assertEquals(app.children.map((c) => c.name), ["db", "name"]);
  const db = app.children[0];
  assertEquals(db.item, { path: "/app/db" }, "a path can be a folder and a parameter");
  assertEquals(db.children.map((c) => c.path), ["/app/db/host", "/app/db/port"]);
});

Deno.test("visibleRows shows children of open folders only; a filter opens matching branches", () => {
  const root = buildTree(items);
  assertEquals(visibleRows(root, new Set()).map((r) => r.node.path), ["/app", "/zeta"]);
  assertEquals(
    visibleRows(root, new Set(["/app"])).map((r) => [r.node.path, r.depth]),
    [["/app", 0], ["/app/db", 1], ["/app/name", 1], ["/zeta", 0]],
  );
  assertEquals(visibleRows(root, new Set(), "port").map((r) => r.node.path), [
    "/app",
    "/app/db",
    "/app/db/port",
  ]);
});

Deno.test("ancestors lists the folders above a path", () => {
  assertEquals(ancestors("/app/db/host"), ["/app", "/app/db"]);
  assertEquals(ancestors("/top"), []);
});
