import { assertEquals } from "../../../tests/helpers/assert.ts";
import { locatePointer } from "./json_locate.ts";
import { nodeForPointer, nodeForStatePath, statePathOf } from "./paths.ts";
import { idOf, loadFixture } from "./test_util.ts";

Deno.test("execution state paths map to nodes through branches and map iterations", async () => {
  const e = await loadFixture("nested");
  assertEquals(nodeForStatePath(e.doc, "Fan"), idOf(e, "Fan"));
  assertEquals(nodeForStatePath(e.doc, "Fan/branch[0]/A2"), idOf(e, "A2"));
  assertEquals(
    nodeForStatePath(
      e.doc,
      "Fan/branch[1]/EachItem/item[3]/Inner/branch[0]/Deep",
    ),
    idOf(e, "Deep"),
  );
  assertEquals(nodeForStatePath(e.doc, "Fan/branch[7]/A2"), undefined);
  assertEquals(
    statePathOf(e.doc, idOf(e, "Deep")),
    "Fan/branch[1]/EachItem/item[*]/Inner/branch[0]/Deep",
  );
});

Deno.test("diagnostic pointers map to the innermost state and its field", async () => {
  const e = await loadFixture("nested");
  assertEquals(nodeForPointer(e.doc, "/states/Pause/timestamp"), {
    id: idOf(e, "Pause"),
    field: "/timestamp",
  });
  assertEquals(
    nodeForPointer(
      e.doc,
      "/states/Fan/branches/1/states/EachItem/processor/states/Double/action",
    ),
    { id: idOf(e, "Double"), field: "/action" },
  );
  assertEquals(nodeForPointer(e.doc, "/states/Fan/branches/0/entry"), {
    id: idOf(e, "Fan"),
    field: "/branches/0/entry",
  });
  assertEquals(nodeForPointer(e.doc, "/entry"), undefined);
});

Deno.test("locatePointer finds the line of a member, or of its nearest existing parent", () => {
  const text = JSON.stringify(
    {
      entry: "A",
      states: { A: { type: "task", next: "B" }, "x/y": [1, { z: 2 }] },
    },
    null,
    2,
  );
  const lines = text.split("\n");
  const line = (pointer: string) => locatePointer(text, pointer)?.line;
  assertEquals(lines[line("/states/A/next")! - 1].trim(), '"next": "B"');
  assertEquals(lines[line("/states/x~1y/1/z")! - 1].trim(), '"z": 2');
  assertEquals(lines[line("/states/A/missing")! - 1].trim(), '"A": {');
  assertEquals(line(""), 1);
  const span = locatePointer(text, "/entry")!;
  assertEquals(text.slice(span.from, span.to), '"entry":');
});
