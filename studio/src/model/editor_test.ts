import fc from "fast-check";
import { assert, assertEquals, assertThrows } from "../../../tests/helpers/assert.ts";
import { Editor, InvariantError } from "./editor.ts";
import { checkInvariants } from "./invariants.ts";
import { idOf, loadFixture } from "./test_util.ts";
import {
  addNode,
  connect,
  duplicateNodes,
  renameNode,
  replaceType,
  updateNode,
} from "./transactions/node.ts";
import { deleteNodes, moveNodes } from "./transactions/delete.ts";
import { bigWorkflow } from "./testdata/big.ts";
import { STATE_TYPES, type StateType } from "./types.ts";

Deno.test("a transaction that introduces a dangling next rolls back completely", async () => {
  const e = await loadFixture("order");
  const before = e.doc;
  const err = assertThrows(
    () =>
      e.transact("bad", (tx) => {
        updateNode(tx, idOf(e, "Review"), { seconds: 9 });
        updateNode(tx, idOf(e, "Notify"), { next: "Ghost" });
      }),
    InvariantError,
  );
  assertEquals(err.violations.map((v) => v.code), ["dangling-reference"]);
  assert(e.doc === before, "the document is the same object");
  assert(!e.canRedo && e.canUndo === false);
});

Deno.test("invariants: one entry, terminal states, router default, transitions", async () => {
  const e = await loadFixture("order");
  const codes = (fn: Parameters<Editor["transact"]>[1]) => {
    try {
      e.transact("x", fn);
      e.undo();
      return [];
    } catch (err) {
      return (err as InvariantError).violations.map((v) => v.code);
    }
  };
  assertEquals(codes((tx) => tx.put({ ...tx.scope("root"), entry: "Nope" })), [
    "entry-missing",
  ]);
  assertEquals(
    codes((tx) => updateNode(tx, idOf(e, "Failed"), { next: "Notify" })),
    ["terminal-with-next"],
  );
  assertEquals(
    codes((tx) => updateNode(tx, idOf(e, "CheckAmount"), { default: undefined })),
    ["router-no-default"],
  );
  assertEquals(
    codes((tx) => updateNode(tx, idOf(e, "Review"), { next: undefined })),
    ["missing-transition"],
  );
  assertEquals(
    codes((tx) =>
      deleteNodes(
        tx,
        Object.keys(tx.records).filter((k) => tx.records[k].kind === "node"),
      )
    ),
    [
      "empty-scope",
    ],
  );
});

Deno.test("violations that were already in an imported document do not block other edits", () => {
  const e = Editor.fromDsl({
    entry: "A",
    states: {
      A: { type: "task", action: "http", next: "Missing" },
      B: { type: "succeed" },
    },
  });
  assertEquals(checkInvariants(e.doc.records).length, 1);
  e.transact("edit", (tx) => updateNode(tx, idOf(e, "B"), { comment: "fine" }));
  assertEquals(e.toDsl().states.B.comment, "fine");
});

Deno.test("undo/redo walk a sequence of edits back and forth exactly", async () => {
  const e = await loadFixture("order");
  const snapshots = [JSON.stringify(e.toDsl())];
  e.transact(
    "add",
    (tx) =>
      addNode(tx, {
        type: "wait",
        onEdge: { source: idOf(e, "ProcessOrder"), kind: "next" },
      }),
  );
  snapshots.push(JSON.stringify(e.toDsl()));
  e.transact("rename", (tx) => renameNode(tx, idOf(e, "Wait"), "Pause"));
  snapshots.push(JSON.stringify(e.toDsl()));
  e.transact("delete", (tx) => deleteNodes(tx, [idOf(e, "Review")]));
  snapshots.push(JSON.stringify(e.toDsl()));
  assertEquals(e.undoLabel, "delete");
  for (let i = snapshots.length - 2; i >= 0; i--) {
    assert(e.undo());
    assertEquals(JSON.stringify(e.toDsl()), snapshots[i]);
  }
  assert(!e.undo());
  for (let i = 1; i < snapshots.length; i++) {
    assert(e.redo());
    assertEquals(JSON.stringify(e.toDsl()), snapshots[i]);
  }
  assert(!e.redo());
  e.undo();
  e.transact(
    "new branch of history",
    (tx) => updateNode(tx, idOf(e, "Notify"), { timeout: 3 }),
  );
  assert(!e.canRedo, "a new edit clears redo");
});

Deno.test("a drag is many moves squashed into one undo step at its mark", async () => {
  const e = await loadFixture("order");
  const id = idOf(e, "Review");
  e.transact("edit", (tx) => updateNode(tx, id, { seconds: 2 }));
  const mark = e.mark("drag");
  for (let i = 1; i <= 30; i++) {
    e.transact("move", (tx) => moveNodes(tx, { [id]: { x: i, y: i * 2 } }));
  }
  e.squashToMark(mark, "move Review");
  assertEquals(e.undoLabel, "move Review");
  e.undo();
  assertEquals((e.doc.records[id] as { pos?: unknown }).pos, undefined);
  assertEquals(e.toDsl().states.Review.seconds, 2, "only the drag was undone");
  e.redo();
  assertEquals((e.doc.records[id] as { pos?: unknown }).pos, { x: 30, y: 60 });
});

Deno.test("bailToMark reverts a cancelled gesture without leaving history", async () => {
  const e = await loadFixture("order");
  const before = JSON.stringify(e.doc.records);
  const mark = e.mark();
  e.transact(
    "move",
    (tx) => moveNodes(tx, { [idOf(e, "Review")]: { x: 5, y: 5 } }),
  );
  e.transact("dup", (tx) => duplicateNodes(tx, [idOf(e, "Review")]));
  e.bailToMark(mark);
  assertEquals(JSON.stringify(e.doc.records), before);
  assert(!e.canUndo);
});

Deno.test("replaceDsl (code mode) is one undoable step that keeps ids", async () => {
  const e = await loadFixture("order");
  const id = idOf(e, "Notify");
  const dsl = e.toDsl();
  dsl.states.Notify = { ...dsl.states.Notify, timeout: 9 };
  dsl.states.Extra = { type: "succeed" };
  e.replaceDsl(dsl);
  assertEquals(idOf(e, "Notify"), id);
  assertEquals(e.toDsl(), dsl);
  e.undo();
  assert(!("Extra" in e.toDsl().states));
});

const OPS = [
  "add",
  "delete",
  "rename",
  "replace",
  "dup",
  "move",
  "connect",
  "update",
] as const;

Deno.test("property: any sequence of transactions undoes back to the start and redoes to the end", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.constantFrom(...OPS),
          fc.nat(1000),
          fc.constantFrom(...STATE_TYPES),
        ),
        { maxLength: 25 },
      ),
      (steps) => {
        const e = Editor.fromDsl(bigWorkflow(30));
        const start = JSON.stringify(e.toDsl());
        let applied = 0;
        for (const [op, n, type] of steps) {
          const ids = Object.values(e.doc.records).filter((r) => r.kind === "node").map((r) => r.id);
          const pick = ids[n % ids.length];
          const other = ids[(n * 7 + 3) % ids.length];
          try {
            e.transact(op, (tx) => {
              if (op === "add") {
                addNode(tx, {
                  type: type as StateType,
                  onEdge: { source: pick, kind: "next" },
                });
              } else if (op === "delete") deleteNodes(tx, [pick]);
              else if (op === "rename") renameNode(tx, pick, `R${n}`);
              else if (op === "replace") {
                replaceType(tx, pick, type as StateType);
              } else if (op === "dup") duplicateNodes(tx, [pick]);
              else if (op === "move") moveNodes(tx, { [pick]: { x: n, y: n } });
              else if (op === "connect") connect(tx, pick, other);
              else updateNode(tx, pick, { comment: `c${n}` });
            });
            applied++;
          } catch (err) {
            if (
              !(err instanceof Error) ||
              err.name !== "ModelError" && err.name !== "InvariantError"
            ) throw err;
          }
          assertEquals(
            checkInvariants(e.doc.records),
            [],
            `invariants hold after ${op}`,
          );
        }
        const end = JSON.stringify(e.toDsl());
        const endRecords = JSON.stringify(e.doc.records);
        while (e.undo());
        assertEquals(JSON.stringify(e.toDsl()), start);
        while (e.redo());
        assertEquals(JSON.stringify(e.toDsl()), end);
        assertEquals(JSON.stringify(e.doc.records), endRecords);
        return applied >= 0;
      },
    ),
    { numRuns: 60 },
  );
});
