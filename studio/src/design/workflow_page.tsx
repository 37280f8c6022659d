/**
 * The workflow editor: design (canvas + palette + inspector), code (CodeMirror) or both,
 * undo/redo, auto layout, save as a new version, version history, and run with JSON input.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ReactFlowInstance } from "@xyflow/react";
import { ApiError, type Diagnostic, get, post, put } from "../api.ts";
import {
  addNode,
  deleteNodes,
  duplicateNodes,
  Editor,
  type Json,
  type Layout,
  layoutOf,
  type MetaRec,
  moveNodes,
  type NodeRec,
  toDslText,
  type WorkflowDsl,
} from "../model/mod.ts";
import { Canvas, type PaletteItem } from "../flow/canvas.tsx";
import { placeOpened, relayout, run } from "../flow/commands.ts";
import { autoLayout, type Direction } from "../flow/layout.ts";
import { navigate } from "../router.ts";
import { toast, toastError } from "../ui/toast.tsx";
import { CodeView, schemaWords } from "./code_view.tsx";
import { Field, NumberInput, TextInput } from "./fields.tsx";
import { Inspector } from "./inspectors/index.tsx";
import { Palette, useActions } from "./palette.tsx";
import { useDoc } from "./use_editor.ts";
import { useValidation } from "./validation.ts";
import { RunDialog } from "./run_dialog.tsx";
import { Problems } from "./problems.tsx";

export interface Template {
  name: string;
  trn: string;
  version: number;
  description?: string;
  dsl: WorkflowDsl;
  /** Node positions saved with this version, by state path (absent: laid out automatically). */
  layout?: Layout | null;
  createdAt: string;
  updatedAt: string;
}

const STARTER: WorkflowDsl = {
  comment: "A new workflow",
  entry: "Hello",
  states: {
    Hello: {
      type: "set",
      output: {
        expression: {
          greeting: "{% 'Hello, ' & (input.name ? input.name : 'world') %}",
        },
      },
      next: "Done",
    },
    Done: { type: "succeed" },
  },
};

type Mode = "design" | "code" | "split";

export function WorkflowPage(
  { name, version }: { name?: string; version?: number },
) {
  const [template, setTemplate] = useState<Template | null>(null);
  const [editor, setEditor] = useState<Editor | null>(null);
  const [error, setError] = useState<string>();
  useEffect(() => {
    let alive = true;
    setEditor(null);
    (async () => {
      try {
        let dsl = STARTER;
        let t: Template | null = null;
        if (name) {
          t = await get<Template>(
            `/api/v1/templates/${encodeURIComponent(name)}${version ? `?version=${version}` : ""}`,
          );
          dsl = t.dsl;
        }
        if (!alive) return;
        const e = Editor.fromDsl(dsl);
        placeOpened(e, t?.layout, "TB");
        setTemplate(t);
        setEditor(e);
        performance.mark("studio:editor-ready");
      } catch (err) {
        if (alive) setError((err as Error).message);
      }
    })();
    return () => {
      alive = false;
    };
  }, [name, version]);
  if (error) {
    return <div className="page error-page">Could not open workflow: {error}</div>;
  }
  if (!editor) return <div className="page">Loading…</div>;
  return (
    <WorkflowEditor
      key={`${name ?? ""}@${template?.version ?? 0}`}
      editor={editor}
      template={template}
      onSaved={setTemplate}
    />
  );
}

function WorkflowEditor(
  props: {
    editor: Editor;
    template: Template | null;
    onSaved: (t: Template) => void;
  },
) {
  const { editor, template } = props;
  const doc = useDoc(editor);
  const [mode, setMode] = useState<Mode>("design");
  const [dir, setDir] = useState<Direction>("TB");
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [newName, setNewName] = useState("");
  const [saveErrors, setSaveErrors] = useState<Diagnostic[]>([]);
  const [codeError, setCodeError] = useState<string>();
  const [running, setRunning] = useState(false);
  const [versions, setVersions] = useState<
    Array<{ version: number; createdAt: string; description?: string }>
  >([]);
  const [schema, setSchema] = useState<string[]>([]);
  const rf = useRef<ReactFlowInstance | null>(null);
  const actions = useActions();
  const validation = useValidation(doc, true);
  const text = useMemo(() => toDslText(doc), [doc]);
  // Re-fit after the canvas changes size (mode switch) or the layout changes.
  const fit = useCallback(
    () => setTimeout(() => rf.current?.fitView({ padding: 0.15, maxZoom: 1 }), 30),
    [],
  );
  useEffect(() => void fit(), [mode, fit]);

  useEffect(() => {
    get("/api/v1/stepflow/schema").then((s) => setSchema(schemaWords(s))).catch(
      () => {},
    );
  }, []);
  useEffect(() => {
    if (!template) return;
    get<{ items: typeof versions }>(
      `/api/v1/templates/${encodeURIComponent(template.name)}/versions`,
    )
      .then((r) => setVersions(r.items))
      .catch(() => setVersions([]));
  }, [template]);

  // Forget selected ids that no longer exist (after undo, delete, code edits).
  useEffect(() => {
    if ([...selected].some((id) => !doc.records[id])) {
      setSelected(new Set([...selected].filter((id) => doc.records[id])));
    }
  }, [doc, selected]);

  const save = useCallback(async () => {
    const dsl = editor.toDsl();
    // Every state's position, so reopening this version shows the same picture.
    const layout = layoutOf(editor.doc);
    try {
      let saved: Template;
      if (template) {
        saved = await put<Template>(
          `/api/v1/templates/${encodeURIComponent(template.name)}`,
          { dsl, description: template.description, layout },
        );
      } else {
        if (!newName) throw new Error("give the workflow a name before saving");
        saved = await post<Template>("/api/v1/templates", {
          name: newName,
          dsl,
          layout,
        });
      }
      setSaveErrors([]);
      toast(`Saved ${saved.name} version ${saved.version}`);
      if (!template) navigate(`/workflows/${encodeURIComponent(saved.name)}`);
      else props.onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError) setSaveErrors(err.diagnostics);
      toastError(err);
    }
  }, [editor, template, newName, props]);

  const addFromPalette = useCallback((item: PaletteItem) => {
    const [first] = selected;
    const sel = first ? doc.records[first] as NodeRec | undefined : undefined;
    try {
      const created = run(editor, `add ${item.type}`, (tx) => {
        const node = sel && typeof sel.def.next === "string"
          ? addNode(tx, {
            type: item.type,
            action: item.action,
            onEdge: { source: sel.id, kind: "next" },
          })
          : addNode(tx, {
            type: item.type,
            action: item.action,
            scope: sel?.scope,
          });
        moveNodes(tx, autoLayout({ records: tx.records }, dir));
        return node;
      }, dir);
      setSelected(new Set([created.id]));
    } catch (err) {
      toastError(err);
    }
  }, [editor, doc, selected, dir]);

  // Keyboard: undo/redo, delete, duplicate, save, escape. Inputs and the code editor keep their keys.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      const typing = t.closest("input, textarea, select, .cm-editor");
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === "s") {
        e.preventDefault();
        save();
        return;
      }
      if (typing) return;
      try {
        if (mod && e.key.toLowerCase() === "z" && !e.shiftKey) {
          e.preventDefault();
          editor.undo();
        } else if (
          mod &&
          (e.key.toLowerCase() === "y" ||
            (e.key.toLowerCase() === "z" && e.shiftKey))
        ) {
          e.preventDefault();
          editor.redo();
        } else if (
          (e.key === "Delete" || e.key === "Backspace") && selected.size
        ) {
          e.preventDefault();
          run(editor, "delete", (tx) => deleteNodes(tx, [...selected]), dir);
          setSelected(new Set());
        } else if (mod && e.key.toLowerCase() === "d" && selected.size) {
          e.preventDefault();
          const ids = run(
            editor,
            "duplicate",
            (tx) => duplicateNodes(tx, [...selected]),
            dir,
          );
          setSelected(new Set(ids));
        } else if (e.key === "Escape") setSelected(new Set());
      } catch (err) {
        toastError(err);
      }
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [editor, selected, save, dir]);

  const onCode = useCallback((next: string) => {
    try {
      editor.replaceDsl(JSON.parse(next));
      setCodeError(undefined);
    } catch (err) {
      setCodeError((err as Error).message);
    }
  }, [editor]);

  const one = selected.size === 1 ? doc.records[[...selected][0]] as NodeRec | undefined : undefined;
  const meta = doc.records.meta as MetaRec;
  const setMeta = (field: string, value: Json | undefined) =>
    editor.transact(`edit ${field}`, (tx) => {
      const m = tx.meta();
      const fields = { ...m.fields };
      if (value === undefined) delete fields[field];
      else fields[field] = value;
      tx.put({ ...m, fields });
    });
  const errorsCount = validation.diagnostics.filter((d) => d.severity === "error").length;

  return (
    <div className="workflow-page">
      <div className="toolbar">
        {template
          ? (
            <h2 data-testid="workflow-title">
              {template.name} <span className="muted">v{template.version}</span>
            </h2>
          )
          : (
            <input
              className="name-input"
              placeholder="workflow name"
              data-testid="new-name"
              value={newName}
              onChange={(e) => setNewName(e.target.value)}
            />
          )}
        <div className="segmented">
          {(["design", "code", "split"] as Mode[]).map((m) => (
            <button
              type="button"
              key={m}
              className={mode === m ? "active" : ""}
              data-testid={`mode-${m}`}
              onClick={() => setMode(m)}
            >
              {m}
            </button>
          ))}
        </div>
        <button
          type="button"
          title="Undo (Ctrl+Z)"
          data-testid="undo"
          disabled={!editor.canUndo}
          onClick={() => editor.undo()}
        >
          ↶ Undo
        </button>
        <button
          type="button"
          title="Redo (Ctrl+Shift+Z)"
          data-testid="redo"
          disabled={!editor.canRedo}
          onClick={() => editor.redo()}
        >
          ↷ Redo
        </button>
        <button
          type="button"
          onClick={() => {
            relayout(editor, dir);
            fit();
          }}
          data-testid="layout"
        >
          Auto layout
        </button>
        <button
          type="button"
          onClick={() => {
            const d = dir === "TB" ? "LR" : "TB";
            setDir(d);
            relayout(editor, d);
            fit();
          }}
        >
          {dir === "TB" ? "↓ vertical" : "→ horizontal"}
        </button>
        <button
          type="button"
          onClick={() => rf.current?.fitView({ padding: 0.1 })}
        >
          Fit
        </button>
        <span
          className={`validity ${errorsCount ? "bad" : "good"}`}
          data-testid="validity"
        >
          {errorsCount ? `${errorsCount} error${errorsCount > 1 ? "s" : ""}` : "valid"}
        </span>
        <span className="spacer" />
        {versions.length > 0 && (
          <select
            data-testid="versions"
            value={template?.version}
            onChange={(e) =>
              navigate(
                `/workflows/${encodeURIComponent(template!.name)}?version=${e.target.value}`,
              )}
          >
            {versions.map((v) => (
              <option key={v.version} value={v.version}>
                version {v.version} · {new Date(v.createdAt).toLocaleString()}
              </option>
            ))}
          </select>
        )}
        <button
          type="button"
          className="primary"
          data-testid="save"
          onClick={save}
        >
          {template ? "Save version" : "Create"}
        </button>
        <button
          type="button"
          data-testid="run"
          disabled={!template}
          onClick={() => setRunning(true)}
        >
          ▶ Run
        </button>
      </div>
      <div className={`editor-body mode-${mode}`}>
        {mode !== "code" && (
          <Palette
            actions={actions}
            onAdd={addFromPalette}
          />
        )}
        {mode !== "code" && (
          <Canvas
            editor={editor}
            doc={doc}
            dir={dir}
            selected={selected}
            onSelect={setSelected}
            issues={validation.byNode}
            onInstance={(i) => (rf.current = i)}
          />
        )}
        {mode !== "design" && (
          <div className="code-pane">
            {codeError && (
              <div className="code-error" data-testid="code-error">
                {codeError}
              </div>
            )}
            <CodeView
              text={text}
              diagnostics={validation.diagnostics}
              schemaWords={schema}
              onChange={onCode}
            />
          </div>
        )}
        {mode !== "code" && (
          <aside className="side">
            {one
              ? (
                <Inspector
                  editor={editor}
                  doc={doc}
                  node={one}
                  dir={dir}
                  actions={actions}
                  issues={validation.byNode.get(one.id)}
                />
              )
              : (
                <div className="inspector" data-testid="workflow-settings">
                  <h3>Workflow</h3>
                  {selected.size > 1 && (
                    <p className="muted">
                      {selected.size} states selected (Delete, Ctrl+D)
                    </p>
                  )}
                  <Field label="Comment">
                    <TextInput
                      value={meta.fields.comment as string | undefined}
                      onCommit={(v) => setMeta("comment", v)}
                    />
                  </Field>
                  <Field label="Timeout (seconds)">
                    <NumberInput
                      value={meta.fields.timeout as number | undefined}
                      min={1}
                      onCommit={(v) => setMeta("timeout", v)}
                    />
                  </Field>
                </div>
              )}
            <Problems
              diagnostics={[...saveErrors, ...validation.diagnostics]}
            />
          </aside>
        )}
      </div>
      {running && template && (
        <RunDialog
          template={template.name}
          onClose={() => setRunning(false)}
        />
      )}
    </div>
  );
}
