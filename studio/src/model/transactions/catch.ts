/** Catch and retry policies of task, parallel and map states. */
import type { Tx } from "../tx.ts";
import { type Json, type JsonObject, ModelError, type NodeRec } from "../types.ts";

const HANDLES_ERRORS = new Set(["task", "parallel", "map"]);

function listOf(
  tx: Tx,
  id: string,
  key: "catch" | "retry",
): { node: NodeRec; list: Json[] } {
  const node = tx.node(id);
  if (!HANDLES_ERRORS.has(node.def.type)) {
    throw new ModelError(
      "no-errors",
      `a ${node.def.type} state has no ${key}; only task, parallel and map do`,
    );
  }
  const raw = node.def[key];
  return { node, list: Array.isArray(raw) ? raw : [] };
}

function write(tx: Tx, node: NodeRec, key: "catch" | "retry", list: Json[]) {
  const def: JsonObject = { ...node.def };
  if (list.length) def[key] = list;
  else delete def[key];
  tx.setDef(node.id, def as NodeRec["def"]);
}

function checkCatch(tx: Tx, node: NodeRec, c: JsonObject) {
  if (!Array.isArray(c.errors) || !c.errors.length) {
    throw new ModelError(
      "bad-catch",
      "a catch needs at least one error name (e.g. States.ALL)",
    );
  }
  if (typeof c.next !== "string" || !tx.byName(node.scope, c.next)) {
    throw new ModelError(
      "bad-target",
      `catch target '${String(c.next)}' is not a state next to '${node.name}'`,
    );
  }
}

export function addCatch(tx: Tx, id: string, c: JsonObject): number {
  const { node, list } = listOf(tx, id, "catch");
  checkCatch(tx, node, c);
  write(tx, node, "catch", [...list, c]);
  return list.length;
}

export function updateCatch(
  tx: Tx,
  id: string,
  index: number,
  patch: JsonObject,
): void {
  const { node, list } = listOf(tx, id, "catch");
  const old = list[index];
  if (!old || typeof old !== "object" || Array.isArray(old)) {
    throw new ModelError(
      "no-catch",
      `'${node.name}' has no catch ${index + 1}`,
    );
  }
  const merged = { ...old, ...patch };
  checkCatch(tx, node, merged);
  write(tx, node, "catch", list.map((c, i) => (i === index ? merged : c)));
}

export function removeCatch(tx: Tx, id: string, index: number): void {
  const { node, list } = listOf(tx, id, "catch");
  if (!list[index]) {
    throw new ModelError(
      "no-catch",
      `'${node.name}' has no catch ${index + 1}`,
    );
  }
  write(tx, node, "catch", list.filter((_, i) => i !== index));
}

export function addRetry(tx: Tx, id: string, r: JsonObject): number {
  const { node, list } = listOf(tx, id, "retry");
  if (!Array.isArray(r.errors) || !r.errors.length) {
    throw new ModelError(
      "bad-retry",
      "a retry needs at least one error name (e.g. States.Timeout)",
    );
  }
  write(tx, node, "retry", [...list, r]);
  return list.length;
}

export function updateRetry(
  tx: Tx,
  id: string,
  index: number,
  patch: JsonObject,
): void {
  const { node, list } = listOf(tx, id, "retry");
  const old = list[index];
  if (!old || typeof old !== "object" || Array.isArray(old)) {
    throw new ModelError(
      "no-retry",
      `'${node.name}' has no retry ${index + 1}`,
    );
  }
  const merged: JsonObject = { ...old };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  write(tx, node, "retry", list.map((c, i) => (i === index ? merged : c)));
}

export function removeRetry(tx: Tx, id: string, index: number): void {
  const { node, list } = listOf(tx, id, "retry");
  if (!list[index]) {
    throw new ModelError(
      "no-retry",
      `'${node.name}' has no retry ${index + 1}`,
    );
  }
  write(tx, node, "retry", list.filter((_, i) => i !== index));
}
