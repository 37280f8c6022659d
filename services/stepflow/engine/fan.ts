/**
 * Parallel and map fan-outs: child threads per branch / item, results gathered by index,
 * failure policy (a failed branch cancels its siblings → States.BranchFailed; map tolerance
 * → States.ExceedToleratedFailureThreshold), and map concurrency.
 */
import type { MapStateT, ParallelStateT } from "../dsl/schema.ts";
import { StateFailure, States } from "./errors.ts";
import type { Next, Run } from "./run.ts";
import type { ErrorInfo, Fan, Thread } from "./types.ts";

function fanOf(thread: Thread): Fan | undefined {
  return thread.phase.kind === "fan" ? thread.phase.fan : undefined;
}

const childId = (run: Run, parent: Thread, fan: Fan, index: number) =>
  `${run.path(parent)}/${fan.type === "parallel" ? "branch" : "item"}[${index}]`;

export function startParallel(run: Run, thread: Thread, def: ParallelStateT): Next {
  const n = def.branches.length;
  const fan: Fan = {
    type: "parallel",
    total: n,
    results: {},
    failures: {},
    running: [],
    next: n,
    redo: [],
    maxConcurrency: 0,
  };
  thread.phase = { kind: "fan", fan };
  run.emit("ParallelStarted", run.path(thread), { stateName: thread.state, details: { branches: n } });
  for (let i = 0; i < n; i++) startChild(run, thread, fan, i);
  return undefined;
}

export async function startMap(run: Run, thread: Thread, def: MapStateT): Promise<Next> {
  const ptr = run.pointer(thread);
  const items = def.items === undefined
    ? thread.input
    : await run.evaluate(thread, `${ptr}/items`, def.items, run.data(thread), "items");
  if (!Array.isArray(items)) {
    throw new StateFailure({
      error: States.QueryEvaluationError,
      cause: `items of map '${run.path(thread)}' must be an array, got ${
        items === undefined ? "nothing" : items === null ? "null" : typeof items
      }`,
    });
  }
  if (items.length > run.env.limits.mapItems) {
    throw new StateFailure({
      error: States.ItemsLimitExceeded,
      cause: `map '${run.path(thread)}' has ${items.length} items; the limit is ${run.env.limits.mapItems} ` +
        "(stepflow.max_map_items)",
    });
  }
  const fan: Fan = {
    type: "map",
    total: items.length,
    results: {},
    failures: {},
    running: [],
    next: 0,
    redo: [],
    maxConcurrency: def.maxConcurrency ?? 0,
    items,
  };
  thread.phase = { kind: "fan", fan };
  run.emit("MapStarted", run.path(thread), {
    stateName: thread.state,
    details: { items: items.length, maxConcurrency: fan.maxConcurrency },
  });
  fill(run, thread, fan);
  return undefined;
}

/** Starts map iterations up to maxConcurrency; schedules completion when nothing is left. */
export function fill(run: Run, parent: Thread, fan: Fan) {
  const cap = fan.maxConcurrency > 0 ? fan.maxConcurrency : Infinity;
  while (fan.running.length < cap && (fan.redo.length || fan.next < fan.total)) {
    const index = fan.redo.length ? fan.redo.shift()! : fan.next++;
    startChild(run, parent, fan, index);
  }
  if (isDone(fan)) scheduleCompletion(run, parent, fan);
}

const isDone = (fan: Fan) => fan.running.length === 0 && fan.redo.length === 0 && fan.next >= fan.total;

/**
 * Starts (or, after a redrive, resumes) child `index`. A failed or cancelled child kept from
 * before a redrive re-enters its current state; otherwise a fresh child starts at the entry.
 */
export function startChild(run: Run, parent: Thread, fan: Fan, index: number) {
  const id = childId(run, parent, fan, index);
  const def = run.def(parent);
  const ptr = run.pointer(parent);
  fan.running.push(index);
  const kept = run.exec.threads[id];
  const isMap = fan.type === "map";
  run.emit(isMap ? "MapIterationStarted" : "BranchStarted", id, {
    stateName: parent.state,
    details: { index, ...(kept ? { resumed: true } : {}) },
  });
  if (kept && kept.status !== "running") {
    redriveThread(run, kept);
    return;
  }
  const graph = isMap ? `${ptr}/processor` : `${ptr}/branches/${index}`;
  const child = run.newThread(id, graph, { ...parent.vars }, { id: parent.id, index });
  const entry = run.flow.graph(graph).entry;
  run.agenda.push(async () => {
    if (!run.alive(child)) return;
    let input: unknown = parent.input;
    if (isMap) {
      const m = def as MapStateT;
      const value = fan.items![index];
      input = value;
      if (m.itemSelector !== undefined) {
        const data = run.data(parent, { context: { map: { item: { index, value } } } });
        try {
          input = await run.evaluate(parent, `${ptr}/itemSelector`, m.itemSelector, data, "itemSelector");
        } catch (err) {
          if (!(err instanceof StateFailure)) throw err;
          child.state = entry;
          run.failThread(child, err.info);
          // Nothing ran yet: a redrive starts this item afresh (re-evaluating the selector).
          delete run.exec.threads[child.id];
          return;
        }
      }
    }
    await run.drive(child, { name: entry, input });
  });
}

/** Re-enters a failed/cancelled thread: fan-outs resume only their unfinished children. */
export function redriveThread(run: Run, thread: Thread) {
  thread.status = "running";
  delete thread.error;
  const fan = fanOf(thread);
  if (!fan) {
    thread.phase = { kind: "idle" };
    run.agenda.push(() => run.drive(thread, { name: thread.state, input: thread.input }));
    return;
  }
  fan.failures = {};
  fan.running = [];
  const todo: number[] = [];
  const started = fan.type === "parallel" ? fan.total : fan.next;
  for (let i = 0; i < started; i++) if (!(String(i) in fan.results)) todo.push(i);
  if (fan.type === "parallel") {
    for (const i of todo) startChild(run, thread, fan, i);
    if (isDone(fan)) scheduleCompletion(run, thread, fan);
  } else {
    fan.redo = todo;
    fill(run, thread, fan);
  }
}

function scheduleCompletion(run: Run, parent: Thread, fan: Fan) {
  const uid = parent.uid;
  run.agenda.push(async () => {
    if (!run.alive(parent, uid) || fanOf(parent) !== fan) return;
    const results: unknown[] = [];
    for (let i = 0; i < fan.total; i++) {
      const k = String(i);
      results.push(k in fan.results ? fan.results[k] : (fan.failures[k] ?? null));
    }
    const next = await run.guard(parent, () => run.complete(parent, results));
    await run.drive(parent, next);
  });
}

function scheduleFailure(run: Run, parent: Thread, fan: Fan, err: ErrorInfo) {
  const uid = parent.uid;
  run.agenda.push(async () => {
    if (!run.alive(parent, uid) || fanOf(parent) !== fan) return;
    const next = await run.handleError(parent, err);
    await run.drive(parent, next);
  });
}

export function childDone(run: Run, parent: Thread, child: Thread, output: unknown) {
  const fan = fanOf(parent);
  if (!fan || child.index === undefined) return;
  const i = child.index;
  fan.results[String(i)] = output;
  fan.running = fan.running.filter((x) => x !== i);
  run.emit(fan.type === "map" ? "MapIterationSucceeded" : "BranchSucceeded", child.id, {
    stateName: parent.state,
    output,
    details: { index: i },
  });
  if (fan.type === "map") fill(run, parent, fan);
  else if (isDone(fan)) scheduleCompletion(run, parent, fan);
}

export function childFailed(run: Run, parent: Thread, child: Thread, err: ErrorInfo) {
  const fan = fanOf(parent);
  if (!fan || child.index === undefined || parent.status !== "running") return;
  const i = child.index;
  fan.failures[String(i)] = err;
  fan.running = fan.running.filter((x) => x !== i);
  run.emit(fan.type === "map" ? "MapIterationFailed" : "BranchFailed", child.id, {
    stateName: parent.state,
    error: err.error,
    cause: err.cause,
    details: { index: i },
  });
  const stopSiblings = () => {
    for (const j of fan.running) {
      const sibling = run.exec.threads[childId(run, parent, fan, j)];
      if (sibling) run.cancelTree(sibling, `a sibling of ${child.id} failed`);
    }
    fan.running = [];
  };
  if (fan.type === "parallel") {
    stopSiblings();
    scheduleFailure(run, parent, fan, {
      error: States.BranchFailed,
      cause: `branch ${i} of parallel '${run.path(parent)}' failed with ${err.error}: ${err.cause}`,
    });
    return;
  }
  const def = run.def(parent) as MapStateT;
  const failed = Object.keys(fan.failures).length;
  const configured = def.toleratedFailureCount !== undefined || def.toleratedFailurePercentage !== undefined;
  const exceeded = !configured ||
    (def.toleratedFailureCount !== undefined && failed > def.toleratedFailureCount) ||
    (def.toleratedFailurePercentage !== undefined &&
      (failed * 100) / fan.total > def.toleratedFailurePercentage);
  if (exceeded) {
    stopSiblings();
    scheduleFailure(
      run,
      parent,
      fan,
      configured
        ? {
          error: States.ExceedToleratedFailureThreshold,
          cause:
            `${failed} of ${fan.total} iterations of map '${
              run.path(parent)
            }' failed, more than tolerated; ` +
            `last: item ${i} failed with ${err.error}: ${err.cause}`,
        }
        : { error: err.error, cause: `item ${i} of map '${run.path(parent)}' failed: ${err.cause}` },
    );
    return;
  }
  fill(run, parent, fan);
}
