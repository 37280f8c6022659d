/** Validation of the current DSL by the server, debounced, mapped onto nodes. */
import { useEffect, useState } from "react";
import { type Diagnostic, post } from "../api.ts";
import { type Doc, nodeForPointer, type NodeRec, toDsl } from "../model/mod.ts";

export interface ValidationState {
  valid: boolean;
  diagnostics: Diagnostic[];
  /** node id → messages */
  byNode: Map<string, string[]>;
}

const EMPTY: ValidationState = {
  valid: true,
  diagnostics: [],
  byNode: new Map(),
};

export function mapDiagnostics(
  doc: Doc,
  diagnostics: Diagnostic[],
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of diagnostics) {
    if (d.severity !== "error" && d.severity !== "warning") continue;
    const hit = nodeForPointer(doc, d.path);
    if (!hit) continue;
    const list = out.get(hit.id) ?? [];
    list.push(
      `${d.severity === "warning" ? "⚠ " : ""}${d.message}${hit.field ? ` (${hit.field})` : ""}`,
    );
    out.set(hit.id, list);
  }
  return out;
}

export function useValidation(doc: Doc, enabled: boolean): ValidationState {
  const [state, setState] = useState<ValidationState>(EMPTY);
  useEffect(() => {
    if (!enabled) return;
    let alive = true;
    const t = setTimeout(async () => {
      try {
        const res = await post<{ valid: boolean; diagnostics: Diagnostic[] }>(
          "/api/v1/stepflow/validate",
          {
            dsl: toDsl(doc),
          },
        );
        if (alive) {
          setState({
            valid: res.valid,
            diagnostics: res.diagnostics,
            byNode: mapDiagnostics(doc, res.diagnostics),
          });
        }
      } catch {
        // validation is advisory; a failing call leaves the last result
      }
    }, 350);
    return () => {
      alive = false;
      clearTimeout(t);
    };
  }, [doc, enabled]);
  return state;
}

export function nodeName(doc: Doc, id: string): string {
  return (doc.records[id] as NodeRec | undefined)?.name ?? id;
}
