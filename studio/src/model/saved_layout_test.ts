import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import { Editor } from "./editor.ts";
import { layoutOf, positionsFromLayout } from "./saved_layout.ts";
import { idOf, loadFixture } from "./test_util.ts";
import { moveNodes } from "./transactions/delete.ts";
import type { NodeRec, Position } from "./types.ts";

/** Distinct positions for every state, as a drag or an auto layout would leave them. */
function placeAll(e: Editor) {
  const ids = Object.values(e.doc.records).filter((r) => r.kind === "node").map((r) => r.id);
  e.transact(
    "place",
    (tx) => moveNodes(tx, Object.fromEntries(ids.map((id, i) => [id, { x: i * 10, y: 100 - i }]))),
  );
}

Deno.test("layoutOf keys positions by state path, through branches and map processors", async () => {
  const e = await loadFixture("nested");
  assertEquals(layoutOf(e.doc), {}, "a document without positions has no layout");
  placeAll(e);
  const layout = layoutOf(e.doc);
  assertEquals(Object.keys(layout).sort(), [
    "Done",
    "Fan",
    "Fan/branch[0]/A1",
    "Fan/branch[0]/A2",
    "Fan/branch[1]/EachItem",
    "Fan/branch[1]/EachItem/item[*]/Double",
    "Fan/branch[1]/EachItem/item[*]/Inner",
    "Fan/branch[1]/EachItem/item[*]/Inner/branch[0]/Deep",
    "Pause",
  ]);
  const deep = e.doc.records[idOf(e, "Deep")] as NodeRec;
  assertEquals(layout["Fan/branch[1]/EachItem/item[*]/Inner/branch[0]/Deep"], deep.pos);
});

Deno.test("a saved layout puts every state back where it was in a freshly loaded document", async () => {
  const e = await loadFixture("nested");
  placeAll(e);
  const saved = JSON.parse(JSON.stringify(layoutOf(e.doc)));
  const reopened = Editor.fromDsl(e.toDsl());
  const positions = positionsFromLayout(reopened.doc, saved);
  assertEquals(Object.keys(positions).length, 9);
  reopened.transact("open", (tx) => moveNodes(tx, positions), { ignoreHistory: true });
  assertEquals(layoutOf(reopened.doc), layoutOf(e.doc));
  assertEquals(reopened.canUndo, false, "placing the saved layout is not an undo step");
});

Deno.test("layout entries for missing states, slots or non-numbers are ignored", async () => {
  const e = await loadFixture("nested");
  const p: Position = { x: 5, y: 6 };
  const positions = positionsFromLayout(e.doc, {
    Pause: p,
    Gone: p,
    "Fan/branch[0]": p,
    "Fan/branch[2]/A1": p,
    "Fan/branch[1]/EachItem/item[3]/Double": p,
    Done: { x: Number.NaN, y: 1 },
    Fan: { x: "1", y: 2 } as unknown as Position,
  });
  assertEquals(positions, { [idOf(e, "Pause")]: p });
  assertEquals(positionsFromLayout(e.doc, null), {});
});

Deno.test("after opening with a saved layout, a move undoes back to the saved position and redoes", async () => {
  const e = await loadFixture("order");
  const saved = { Review: { x: 400, y: 80 } };
  e.transact("open", (tx) => moveNodes(tx, positionsFromLayout(e.doc, saved)), { ignoreHistory: true });
  const review = idOf(e, "Review");
  e.transact("move", (tx) => moveNodes(tx, { [review]: { x: 10, y: 20 } }));
  assertEquals(layoutOf(e.doc).Review, { x: 10, y: 20 });
  assert(e.undo());
  assertEquals(layoutOf(e.doc).Review, { x: 400, y: 80 });
  assertEquals(e.canUndo, false);
  assert(e.redo());
  assertEquals(layoutOf(e.doc).Review, { x: 10, y: 20 });
});
