/**
 * Code mode: CodeMirror JSON editor. Typing re-imports the DSL into the model (debounced) so the
 * graph follows; graph edits rewrite the text unless it is the text that produced them. Parse
 * errors and the server's validation diagnostics are shown as lint marks on their lines.
 */
import { useEffect, useRef } from "react";
import { EditorState } from "@codemirror/state";
import { EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { json } from "@codemirror/lang-json";
import { bracketMatching, defaultHighlightStyle, foldGutter, syntaxHighlighting } from "@codemirror/language";
import { type Diagnostic as CmDiagnostic, forceLinting, linter, lintGutter } from "@codemirror/lint";
import { autocompletion, type CompletionContext } from "@codemirror/autocomplete";
import { locatePointer } from "../model/mod.ts";
import type { Diagnostic } from "../api.ts";

export interface CodeViewProps {
  text: string;
  diagnostics: Diagnostic[];
  /** Property names and enum values from the DSL JSON Schema, for completion. */
  schemaWords: string[];
  onChange: (text: string) => void;
}

function parseError(text: string): CmDiagnostic[] {
  try {
    JSON.parse(text);
    return [];
  } catch (err) {
    const msg = (err as Error).message;
    const m = /position (\d+)/.exec(msg);
    const at = m ? Math.min(Number(m[1]), text.length) : 0;
    return [{
      from: at,
      to: Math.min(at + 1, text.length),
      severity: "error",
      message: `JSON: ${msg}`,
    }];
  }
}

export function CodeView(props: CodeViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    let timer: number | undefined;
    const lint = linter((v) => {
      const text = v.state.doc.toString();
      const local = parseError(text);
      if (local.length) return local;
      return latest.current.diagnostics.map((d) => {
        const span = locatePointer(text, d.path) ?? { from: 0, to: 0 };
        return {
          from: span.from,
          to: Math.max(span.from, span.to),
          severity: d.severity === "warning" ? "warning" : "error",
          message: `${d.code}: ${d.message} (${d.path || "/"})`,
        } as CmDiagnostic;
      });
    }, { delay: 150 });
    const complete = (ctx: CompletionContext) => {
      const word = ctx.matchBefore(/"[\w$.-]*/);
      if (!word || (word.from === word.to && !ctx.explicit)) return null;
      return {
        from: word.from + 1,
        options: latest.current.schemaWords.map((w) => ({
          label: w,
          type: "property",
        })),
      };
    };
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: props.text,
        extensions: [
          lineNumbers(),
          foldGutter(),
          history(),
          highlightActiveLine(),
          bracketMatching(),
          syntaxHighlighting(defaultHighlightStyle),
          json(),
          lintGutter(),
          lint,
          autocompletion({ override: [complete] }),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          EditorView.updateListener.of((u) => {
            if (!u.docChanged) return;
            clearTimeout(timer);
            timer = setTimeout(() => {
              const text = u.state.doc.toString();
              latest.current.onChange(text);
            }, 250);
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      clearTimeout(timer);
      v.destroy();
    };
  }, []);

  // Graph → code: replace the text when the model changed for another reason than this text.
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const current = v.state.doc.toString();
    if (current === props.text || sameJson(current, props.text)) return;
    // Never rewrite under the user's cursor: their next (debounced) change re-syncs the model.
    if (v.hasFocus) return;
    v.dispatch({
      changes: { from: 0, to: current.length, insert: props.text },
    });
  }, [props.text]);

  useEffect(() => {
    if (view.current) forceLinting(view.current);
  }, [props.diagnostics]);

  return <div className="code-view" ref={host} data-testid="code-view" />;
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

/** Property names and enum values found anywhere in a JSON Schema. */
export function schemaWords(schema: unknown): string[] {
  const out = new Set<string>();
  const walk = (s: unknown) => {
    if (!s || typeof s !== "object") return;
    if (Array.isArray(s)) return s.forEach(walk);
    const o = s as Record<string, unknown>;
    if (o.properties && typeof o.properties === "object") {
      for (const k of Object.keys(o.properties)) {
        out.add(k);
      }
    }
    if (Array.isArray(o.enum)) {
      for (const v of o.enum) if (typeof v === "string") out.add(v);
    }
    if (typeof o.const === "string") out.add(o.const);
    for (const v of Object.values(o)) walk(v);
  };
  walk(schema);
  return [...out].sort();
}
