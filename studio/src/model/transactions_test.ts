import { assert, assertEquals, assertThrows } from "../../../tests/helpers/assert.ts";
import { toDsl } from "./convert.ts";
import type { Editor } from "./editor.ts";
import { idOf, loadFixture, stateOf } from "./test_util.ts";
import {
  addBranch,
  addNode,
  connect,
  duplicateNodes,
  removeBranch,
  renameNode,
  replaceType,
  setEntry,
  updateBranch,
  updateNode,
} from "./transactions/node.ts";
import { deleteNodes, moveNodes, reorderNode } from "./transactions/delete.ts";
import { addRoute, moveRoute, removeRoute, setDefault, updateRoute } from "./transactions/router.ts";
import {
  addCatch,
  addRetry,
  removeCatch,
  removeRetry,
  updateCatch,
  updateRetry,
} from "./transactions/catch.ts";
import type { Tx } from "./tx.ts";
import type { ScopeRec } from "./types.ts";

/** Runs a transaction, checks undo restores the exact DSL and redo re-applies it. */
function roundTrip(editor: Editor, label: string, fn: (tx: Tx) => unknown) {
  const before = toDsl(editor.doc);
  editor.transact(label, fn);
  const after = toDsl(editor.doc);
  assert(
    JSON.stringify(after) !== JSON.stringify(before),
    `${label} changed nothing`,
  );
  editor.undo();
  assertEquals(toDsl(editor.doc), before, `undo of ${label}`);
  editor.redo();
  assertEquals(toDsl(editor.doc), after, `redo of ${label}`);
  return after;
}

Deno.test("addNode on an edge links A→new→B and its inverse restores A→B", async () => {
  const e = await loadFixture("order");
  const after = roundTrip(
    e,
    "add",
    (tx) =>
      addNode(tx, {
        type: "task",
        onEdge: { source: idOf(e, "Review"), kind: "next" },
      }),
  );
  assertEquals(after.states.Review.next, "Task");
  assertEquals(after.states.Task, {
    type: "task",
    action: "http",
    parameters: { method: "GET", url: "https://example.com" },
    next: "Notify",
  });
});

Deno.test("addNode free on the canvas ends; a free router gets a route and a Done default", async () => {
  const e = await loadFixture("order");
  roundTrip(
    e,
    "add wait",
    (tx) => addNode(tx, { type: "wait", pos: { x: 1, y: 2 } }),
  );
  assertEquals(stateOf(e, "Wait"), { type: "wait", seconds: 1, end: true });
  roundTrip(e, "add router", (tx) => addNode(tx, { type: "router" }));
  assertEquals(stateOf(e, "Router"), {
    type: "router",
    routes: [{ condition: "{% true %}", next: "RouterDone" }],
    default: "RouterDone",
  });
  assertEquals(stateOf(e, "RouterDone"), { type: "succeed" });
});

Deno.test("addNode at the entry makes the new state the entry", async () => {
  const e = await loadFixture("order");
  const after = roundTrip(
    e,
    "add",
    (tx) => addNode(tx, { type: "set", atEntry: true }),
  );
  assertEquals(after.entry, "Set");
  assertEquals(after.states.Set.next, "ProcessOrder");
});

Deno.test("addNode of a parallel creates two branches; of a map a processor; with an action a named task", async () => {
  const e = await loadFixture("callback");
  const after = roundTrip(
    e,
    "add",
    (tx) =>
      addNode(tx, {
        type: "parallel",
        onEdge: { source: idOf(e, "Child"), kind: "next" },
      }),
  );
  const branches = after.states.Parallel.branches as Array<{ entry: string }>;
  assertEquals(branches.map((b) => b.entry), [
    "ParallelBranch1",
    "ParallelBranch2",
  ]);
  const m = roundTrip(e, "add map", (tx) => addNode(tx, { type: "map" }));
  assertEquals((m.states.Map.processor as { entry: string }).entry, "MapItem");
  const t = roundTrip(
    e,
    "add fn",
    (tx) => addNode(tx, { type: "task", action: "fn:charge-card" }),
  );
  assertEquals(t.states["Charge-card"], {
    type: "task",
    action: "fn:charge-card",
    parameters: {},
    end: true,
  });
});

Deno.test("deleteNodes re-links predecessors to the successor and moves the entry", async () => {
  const e = await loadFixture("order");
  const after = roundTrip(
    e,
    "delete",
    (tx) => deleteNodes(tx, [idOf(e, "Review")]),
  );
  assertEquals(after.states.CheckAmount.routes, [
    { condition: "{% input.amount > 100 %}", next: "Notify" },
    { condition: "{% input.amount <= 0 %}", next: "Failed" },
  ]);
  const entry = roundTrip(
    e,
    "delete entry",
    (tx) => deleteNodes(tx, [idOf(e, "ProcessOrder")]),
  );
  assertEquals(entry.entry, "CheckAmount");
});

Deno.test("deleting a terminal state ends its predecessors and drops catches and routes to it", async () => {
  const e = await loadFixture("order");
  const after = roundTrip(
    e,
    "delete",
    (tx) => deleteNodes(tx, [idOf(e, "Failed")]),
  );
  assertEquals(after.states.ProcessOrder.catch, undefined);
  assertEquals((after.states.CheckAmount.routes as unknown[]).length, 1);
});

Deno.test("deleting a parallel removes its branches and everything inside", async () => {
  const e = await loadFixture("nested");
  const count = Object.keys(e.doc.records).length;
  const after = roundTrip(
    e,
    "delete",
    (tx) => deleteNodes(tx, [idOf(e, "Fan"), idOf(e, "Deep")]),
  );
  assertEquals(after.entry, "Pause");
  assertEquals(Object.keys(e.doc.records).length, count - 11);
});

Deno.test("updateNode sets and deletes fields; next clears end and end clears next", async () => {
  const e = await loadFixture("order");
  const after = roundTrip(
    e,
    "update",
    (tx) =>
      updateNode(tx, idOf(e, "Notify"), {
        timeout: 30,
        parameters: undefined,
        next: "Failed",
      }),
  );
  assertEquals(after.states.Notify, {
    type: "task",
    action: "fn:notify",
    next: "Failed",
    timeout: 30,
  });
  assertThrows(
    () =>
      e.transact(
        "type",
        (tx) => updateNode(tx, idOf(e, "Notify"), { type: "wait" }),
      ),
    Error,
    "replace type",
  );
});

Deno.test("renameNode rewrites every reference and the entry", async () => {
  const e = await loadFixture("order");
  const after = roundTrip(
    e,
    "rename",
    (tx) => renameNode(tx, idOf(e, "Failed"), "Rejected"),
  );
  assertEquals(
    (after.states.ProcessOrder.catch as Array<{ next: string }>)[0].next,
    "Rejected",
  );
  assertEquals(
    (after.states.CheckAmount.routes as Array<{ next: string }>)[1].next,
    "Rejected",
  );
  roundTrip(
    e,
    "rename entry",
    (tx) => renameNode(tx, idOf(e, "ProcessOrder"), "Start"),
  );
  assertEquals(e.toDsl().entry, "Start");
  assertThrows(
    () => e.transact("dup", (tx) => renameNode(tx, idOf(e, "Start"), "Notify")),
    Error,
    "already exists",
  );
  assertThrows(
    () => e.transact("bad", (tx) => renameNode(tx, idOf(e, "Start"), "has space")),
    Error,
    "state name",
  );
});

Deno.test("replaceType keeps common fields and the transition", async () => {
  const e = await loadFixture("order");
  const after = roundTrip(
    e,
    "replace",
    (tx) => replaceType(tx, idOf(e, "Review"), "set"),
  );
  assertEquals(after.states.Review, {
    type: "set",
    output: { expression: "{% input %}" },
    next: "Notify",
  });
  const router = roundTrip(
    e,
    "to router",
    (tx) => replaceType(tx, idOf(e, "Review"), "router"),
  );
  assertEquals(router.states.Review, {
    type: "router",
    output: { expression: "{% input %}" },
    routes: [{ condition: "{% true %}", next: "Notify" }],
    default: "Notify",
  });
  const fail = roundTrip(
    e,
    "to fail",
    (tx) => replaceType(tx, idOf(e, "Notify"), "fail"),
  );
  assertEquals(fail.states.Notify, {
    type: "fail",
    error: "Failed",
    cause: "",
  });
});

Deno.test("replaceType away from parallel removes its branches; to map creates a processor", async () => {
  const e = await loadFixture("nested");
  const after = roundTrip(
    e,
    "replace",
    (tx) => replaceType(tx, idOf(e, "Fan"), "map"),
  );
  assertEquals(
    Object.keys((after.states.Fan.processor as { states: object }).states),
    ["FanItem"],
  );
  assert(
    !Object.values(e.doc.records).some((r) => r.kind === "node" && r.name === "Deep"),
  );
});

Deno.test("duplicateNodes copies a parallel with renamed inner states", async () => {
  const e = await loadFixture("nested");
  const after = roundTrip(
    e,
    "dup",
    (tx) => duplicateNodes(tx, [idOf(e, "Fan")]),
  );
  const copy = after.states.FanCopy as {
    branches: Array<
      { entry: string; states: Record<string, { next?: string }> }
    >;
  };
  assertEquals(copy.branches[0].entry, "A1Copy");
  assertEquals(copy.branches[0].states.A1Copy.next, "A2Copy");
  assertEquals(Object.keys(after.states), ["Fan", "FanCopy", "Pause", "Done"]);
});

Deno.test("moveNodes changes positions only and is one undoable step", async () => {
  const e = await loadFixture("order");
  const id = idOf(e, "Review");
  e.transact("move", (tx) => moveNodes(tx, { [id]: { x: 10, y: 20 } }));
  assertEquals((e.doc.records[id] as { pos?: unknown }).pos, { x: 10, y: 20 });
  e.undo();
  assertEquals((e.doc.records[id] as { pos?: unknown }).pos, undefined);
});

Deno.test("reorderNode moves a state to another edge and repairs both places", async () => {
  const e = await loadFixture("callback");
  const after = roundTrip(
    e,
    "reorder",
    (tx) =>
      reorderNode(tx, idOf(e, "Approve"), {
        source: idOf(e, "Child"),
        kind: "next",
      }),
  );
  assertEquals(after.entry, "Child");
  assertEquals(after.states.Child.next, "Approve");
  assertEquals(after.states.Approve.next, "Ok");
});

Deno.test("branch add/edit/remove on a parallel", async () => {
  const e = await loadFixture("nested");
  const fan = idOf(e, "Fan");
  const added = roundTrip(e, "add branch", (tx) => addBranch(tx, fan));
  assertEquals((added.states.Fan.branches as unknown[]).length, 3);
  const sid = (e.doc.records[fan] as { children: string[] }).children[2];
  const edited = roundTrip(
    e,
    "edit branch",
    (tx) => updateBranch(tx, sid, { comment: "third" }),
  );
  assertEquals(
    (edited.states.Fan.branches as Array<{ comment?: string }>)[2].comment,
    "third",
  );
  const removed = roundTrip(
    e,
    "remove branch",
    (tx) => removeBranch(tx, fan, 0),
  );
  assertEquals(
    (removed.states.Fan.branches as Array<{ entry: string }>)[0].entry,
    "EachItem",
  );
  assertThrows(
    () =>
      e.transact("x", (tx) => {
        removeBranch(tx, fan, 0);
        removeBranch(tx, fan, 0);
      }),
    Error,
    "at least one branch",
  );
});

Deno.test("catch add/edit/remove validates targets", async () => {
  const e = await loadFixture("callback");
  const id = idOf(e, "Child");
  roundTrip(
    e,
    "add catch",
    (tx) => addCatch(tx, id, { errors: ["States.ALL"], next: "Rejected" }),
  );
  roundTrip(
    e,
    "edit catch",
    (tx) => updateCatch(tx, id, 0, { next: "TimedOut" }),
  );
  assertEquals(stateOf(e, "Child").catch, [{
    errors: ["States.ALL"],
    next: "TimedOut",
  }]);
  roundTrip(e, "remove catch", (tx) => removeCatch(tx, id, 0));
  assertEquals(stateOf(e, "Child").catch, undefined);
  assertThrows(
    () =>
      e.transact(
        "bad",
        (tx) => addCatch(tx, id, { errors: ["X"], next: "Nowhere" }),
      ),
    Error,
    "Nowhere",
  );
  assertThrows(
    () =>
      e.transact(
        "bad",
        (tx) => addCatch(tx, idOf(e, "Ok"), { errors: ["X"], next: "Child" }),
      ),
    Error,
    "only task",
  );
});

Deno.test("retry add/edit/remove", async () => {
  const e = await loadFixture("callback");
  const id = idOf(e, "Child");
  roundTrip(
    e,
    "add retry",
    (tx) => addRetry(tx, id, { errors: ["States.Timeout"], maxAttempts: 2 }),
  );
  roundTrip(
    e,
    "edit retry",
    (tx) => updateRetry(tx, id, 0, { maxAttempts: 5, interval: 2 }),
  );
  assertEquals(stateOf(e, "Child").retry, [{
    errors: ["States.Timeout"],
    maxAttempts: 5,
    interval: 2,
  }]);
  roundTrip(e, "remove retry", (tx) => removeRetry(tx, id, 0));
});

Deno.test("route add/edit/move/remove and default on a router", async () => {
  const e = await loadFixture("order");
  const id = idOf(e, "CheckAmount");
  roundTrip(
    e,
    "add route",
    (tx) => addRoute(tx, id, { condition: "{% input.vip %}", next: "Notify" }),
  );
  roundTrip(
    e,
    "edit route",
    (tx) => updateRoute(tx, id, 2, { condition: "{% input.vip = true %}" }),
  );
  roundTrip(e, "move route", (tx) => moveRoute(tx, id, 2, 0));
  assertEquals(
    (stateOf(e, "CheckAmount").routes as Array<{ condition: string }>)[0]
      .condition,
    "{% input.vip = true %}",
  );
  roundTrip(e, "remove route", (tx) => removeRoute(tx, id, 0));
  roundTrip(e, "default", (tx) => setDefault(tx, id, "Review"));
  assertEquals(stateOf(e, "CheckAmount").default, "Review");
  assertThrows(
    () => e.transact("bad", (tx) => updateRoute(tx, id, 0, { next: "Ghost" })),
    Error,
    "Ghost",
  );
});

Deno.test("connect sets next, or adds a route from a router; never across scopes", async () => {
  const e = await loadFixture("nested");
  roundTrip(
    e,
    "connect loop",
    (tx) => connect(tx, idOf(e, "Pause"), idOf(e, "Fan")),
  );
  assertEquals(stateOf(e, "Pause").next, "Fan");
  e.transact("wait", (tx) => addNode(tx, { type: "wait", name: "Lonely" }));
  roundTrip(
    e,
    "connect",
    (tx) => connect(tx, idOf(e, "Lonely"), idOf(e, "Done")),
  );
  assertEquals(stateOf(e, "Lonely"), {
    type: "wait",
    seconds: 1,
    next: "Done",
  });
  assertThrows(
    () => e.transact("x", (tx) => connect(tx, idOf(e, "A1"), idOf(e, "Done"))),
    Error,
    "same workflow",
  );
  assertThrows(
    () => e.transact("x", (tx) => connect(tx, idOf(e, "Done"), idOf(e, "Pause"))),
    Error,
    "succeed",
  );
});

Deno.test("setEntry changes the scope entry", async () => {
  const e = await loadFixture("nested");
  roundTrip(e, "entry", (tx) => setEntry(tx, idOf(e, "A2")));
  const fan = e.doc.records[idOf(e, "Fan")] as { children: string[] };
  assertEquals((e.doc.records[fan.children[0]] as ScopeRec).entry, "A2");
});
