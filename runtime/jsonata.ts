/**
 * JSONata, loaded on first need. The package is CommonJS: importing it brings up Deno's Node
 * module loader (~100 modules, ~17 ms measured), which a server start should not pay for. Async entry
 * points (route groups, bus executors, evaluations) await `loadJsonata()`; the synchronous
 * validators behind them then use `jsonata()`.
 */
import type jsonataFn from "jsonata";

export type Jsonata = typeof jsonataFn;
export type JsonataExpression = ReturnType<Jsonata>;

let loaded: Jsonata | undefined;
let loading: Promise<Jsonata> | undefined;

export function loadJsonata(): Promise<Jsonata> {
  return loading ??= import("jsonata").then((m) => loaded = (m.default ?? m) as Jsonata);
}

export function jsonataLoaded(): boolean {
  return loaded !== undefined;
}

/** The JSONata compiler; `loadJsonata()` must have resolved (a programming error otherwise). */
export function jsonata(): Jsonata {
  if (!loaded) throw new Error("JSONata used before loadJsonata() resolved");
  return loaded;
}
