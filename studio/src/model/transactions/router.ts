/** Router routes and default. */
import type { Tx } from "../tx.ts";
import { type Json, type JsonObject, ModelError, type NodeRec } from "../types.ts";

export interface Route {
  condition: string;
  next: string;
  [key: string]: Json;
}

function routesOf(tx: Tx, id: string): { node: NodeRec; routes: Json[] } {
  const node = tx.node(id);
  if (node.def.type !== "router") {
    throw new ModelError("not-router", `'${node.name}' is not a router`);
  }
  return {
    node,
    routes: Array.isArray(node.def.routes) ? node.def.routes : [],
  };
}

function checkTarget(tx: Tx, node: NodeRec, next: unknown) {
  if (typeof next !== "string" || !tx.byName(node.scope, next)) {
    throw new ModelError(
      "bad-target",
      `route target '${String(next)}' is not a state next to '${node.name}'`,
    );
  }
}

export function addRoute(tx: Tx, id: string, route: Route): number {
  const { node, routes } = routesOf(tx, id);
  checkTarget(tx, node, route.next);
  tx.setDef(id, { ...node.def, routes: [...routes, route] });
  return routes.length;
}

export function updateRoute(
  tx: Tx,
  id: string,
  index: number,
  patch: Partial<Route>,
): void {
  const { node, routes } = routesOf(tx, id);
  const old = routes[index];
  if (!old || typeof old !== "object" || Array.isArray(old)) {
    throw new ModelError(
      "no-route",
      `'${node.name}' has no route ${index + 1}`,
    );
  }
  if (patch.next !== undefined) checkTarget(tx, node, patch.next);
  const next = routes.slice();
  next[index] = { ...old, ...patch } as JsonObject;
  tx.setDef(id, { ...node.def, routes: next });
}

export function removeRoute(tx: Tx, id: string, index: number): void {
  const { node, routes } = routesOf(tx, id);
  if (!routes[index]) {
    throw new ModelError(
      "no-route",
      `'${node.name}' has no route ${index + 1}`,
    );
  }
  tx.setDef(id, { ...node.def, routes: routes.filter((_, i) => i !== index) });
}

/** Moves a route up or down (routes are evaluated in order). */
export function moveRoute(tx: Tx, id: string, from: number, to: number): void {
  const { node, routes } = routesOf(tx, id);
  if (!routes[from] || to < 0 || to >= routes.length) {
    throw new ModelError("no-route", `'${node.name}' has no route ${from + 1}`);
  }
  const next = routes.slice();
  const [r] = next.splice(from, 1);
  next.splice(to, 0, r);
  tx.setDef(id, { ...node.def, routes: next });
}

export function setDefault(tx: Tx, id: string, target: string): void {
  const { node } = routesOf(tx, id);
  checkTarget(tx, node, target);
  tx.setDef(id, { ...node.def, default: target });
}
