/** The states browser: the 8 state types and the server's actions, dragged onto the canvas or an edge. */
import { type DragEvent, useEffect, useState } from "react";
import { get, type Page } from "../api.ts";
import { DND_MIME, type PaletteItem } from "../flow/canvas.tsx";
import { TYPE_ICONS } from "../flow/nodes.tsx";
import { STATE_TYPES } from "../model/mod.ts";

const DESCRIPTIONS: Record<string, string> = {
  task: "call an action",
  parallel: "run branches at once",
  map: "run a processor per item",
  router: "choose a path",
  wait: "pause",
  set: "shape data, set vars",
  succeed: "stop: success",
  fail: "stop: failure",
};

/** Loads what a task can call: functions, OpenAct actions and workflows (each list may be absent). */
export function useActions(): string[] {
  const [actions, setActions] = useState<string[]>([]);
  useEffect(() => {
    let alive = true;
    const load = async <T,>(path: string, map: (x: T) => string) => {
      try {
        return ((await get<Page<T>>(path)).items ?? []).map(map);
      } catch {
        return [];
      }
    };
    Promise.all([
      load<{ name: string }>(
        "/api/v1/functions?limit=200",
        (f) => `fn:${f.name}`,
      ),
      load<{ kind?: string; connector?: string; name: string }>(
        "/api/v1/actions?limit=200",
        (a) => `act:${a.kind ?? a.connector ?? "http"}.${a.name}`,
      ),
      load<{ name: string }>(
        "/api/v1/templates?limit=200",
        (t) => `wf:${t.name}`,
      ),
    ]).then((lists) => alive && setActions(["http", ...lists.flat()]));
    return () => {
      alive = false;
    };
  }, []);
  return actions;
}

export function Palette(
  props: { actions: string[]; onAdd: (item: PaletteItem) => void },
) {
  const [filter, setFilter] = useState("");
  const start = (item: PaletteItem) => (e: DragEvent) => {
    e.dataTransfer.setData(DND_MIME, JSON.stringify(item));
    e.dataTransfer.effectAllowed = "copy";
  };
  const f = filter.toLowerCase();
  return (
    <aside className="palette" data-testid="palette">
      <input
        placeholder="Search states and actions"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
      />
      <h4>Flow</h4>
      {STATE_TYPES.filter((t) => t.includes(f)).map((t) => (
        <div
          key={t}
          className={`palette-item state-${t}`}
          draggable
          data-palette={t}
          onDragStart={start({ type: t })}
          onDoubleClick={() => props.onAdd({ type: t })}
          title="drag onto the canvas or onto an arrow; double-click to add after the selection"
        >
          <span className="state-icon">{TYPE_ICONS[t]}</span>
          <span>
            <b>{t}</b>
            <small>{DESCRIPTIONS[t]}</small>
          </span>
        </div>
      ))}
      <h4>Actions</h4>
      {props.actions.filter((a) => a.toLowerCase().includes(f)).map((a) => (
        <div
          key={a}
          className="palette-item state-task"
          draggable
          data-palette={a}
          onDragStart={start({ type: "task", action: a })}
          onDoubleClick={() => props.onAdd({ type: "task", action: a })}
        >
          <span className="state-icon">{TYPE_ICONS.task}</span>
          <span>
            <b>{a}</b>
          </span>
        </div>
      ))}
    </aside>
  );
}
