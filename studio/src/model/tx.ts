/**
 * A transaction's working copy: reads see earlier writes of the same transaction; commit()
 * returns the diff. Nothing touches the editor's document until the editor applies that diff.
 */
import type { Diff } from "./diff.ts";
import { allNames, nameIndex, uniqueName } from "./graph.ts";
import {
  type MetaRec,
  ModelError,
  type NodeRec,
  type Rec,
  type Records,
  type ScopeRec,
  type StateDef,
} from "./types.ts";

export class Tx {
  private working: Record<string, Rec> | undefined;
  private readonly touched = new Map<string, Rec | undefined>();
  private counter = -1;
  /** Set by transactions that cannot break graph invariants (positions only). */
  layoutOnly = true;

  constructor(private readonly base: Records) {}

  get records(): Records {
    return this.working ?? this.base;
  }

  get(id: string): Rec | undefined {
    return this.records[id];
  }

  node(id: string): NodeRec {
    const r = this.records[id];
    if (r?.kind !== "node") {
      throw new ModelError("not-found", `no state with id '${id}'`);
    }
    return r;
  }

  scope(id: string): ScopeRec {
    const r = this.records[id];
    if (r?.kind !== "scope") {
      throw new ModelError("not-found", `no scope with id '${id}'`);
    }
    return r;
  }

  meta(): MetaRec {
    return this.records.meta as MetaRec;
  }

  /** Looks a state up by name inside a scope. */
  byName(scopeId: string, name: string): NodeRec | undefined {
    const id = nameIndex(this.records, scopeId).get(name);
    return id ? this.node(id) : undefined;
  }

  put(rec: Rec, opts: { layout?: boolean } = {}): void {
    this.write(rec.id, rec);
    if (!opts.layout) this.layoutOnly = false;
  }

  remove(id: string): void {
    this.write(id, undefined);
    this.layoutOnly = false;
  }

  /** Replaces a node's def (the node record is copied, never mutated). */
  setDef(id: string, def: StateDef): void {
    const node = this.node(id);
    if (node.def !== def) this.put({ ...node, def });
  }

  newId(prefix: "n" | "s"): string {
    if (this.counter < 0) {
      this.counter = 0;
      for (const id of Object.keys(this.records)) {
        const m = /^[ns](\d+)$/.exec(id);
        if (m) this.counter = Math.max(this.counter, Number(m[1]));
      }
    }
    return `${prefix}${++this.counter}`;
  }

  uniqueName(base: string): string {
    return uniqueName(allNames(this.records), base);
  }

  commit(): Diff {
    const out: Diff = [];
    for (const [id, before] of this.touched) {
      const after = this.working![id];
      if (before === after) continue;
      if (!before) out.push({ op: "add", id, after: after! });
      else if (!after) out.push({ op: "remove", id, before });
      else out.push({ op: "update", id, before, after });
    }
    return out;
  }

  private write(id: string, rec: Rec | undefined) {
    this.working ??= { ...this.base };
    if (!this.touched.has(id)) this.touched.set(id, this.base[id]);
    if (rec) this.working[id] = rec;
    else delete this.working[id];
  }
}
