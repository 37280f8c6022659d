/**
 * One execution: the graph colored live from the SSE stream, a table of state runs with a
 * timeline, the paged event history, a per-state input/output/error panel, cancel and redrive.
 */
import { useEffect, useMemo, useState } from "react";
import { get, type Page, post, qs, streamEvents } from "../api.ts";
import { Canvas } from "../flow/canvas.tsx";
import { openingLayout } from "../flow/layout.ts";
import {
  type Doc,
  fromDsl,
  type Layout,
  nodeForStatePath,
  type NodeRec,
  positionsFromLayout,
  type WorkflowDsl,
} from "../model/mod.ts";
import { JsonBlock, Table } from "../ui/table.tsx";
import { toast, toastError } from "../ui/toast.tsx";
import { duration } from "./executions_page.tsx";
import {
  type Execution,
  type HistoryEvent,
  type StateRun,
  stateRuns,
  statusByNode,
  takenEdges,
} from "./model.ts";

type View = "graph" | "table" | "events";

/** The executed version's graph as it was saved in the editor (auto layout for unplaced states). */
function layoutDoc(dsl: WorkflowDsl, layout?: Layout | null): Doc {
  const doc = fromDsl(dsl);
  const pos = openingLayout(doc, "TB", positionsFromLayout(doc, layout));
  const records = { ...doc.records };
  for (const [id, p] of Object.entries(pos)) {
    records[id] = { ...(records[id] as NodeRec), pos: p };
  }
  return { records };
}

export function ExecutionPage({ id }: { id: string }) {
  const [exec, setExec] = useState<Execution>();
  const [doc, setDoc] = useState<Doc>();
  const [events, setEvents] = useState<HistoryEvent[]>([]);
  const [view, setView] = useState<View>("graph");
  const [picked, setPicked] = useState<string>();
  const [error, setError] = useState<string>();

  const refresh = async () => {
    const x = await get<Execution>(
      `/api/v1/executions/${encodeURIComponent(id)}`,
    );
    setExec(x);
    return x;
  };

  useEffect(() => {
    let alive = true;
    setEvents([]);
    (async () => {
      try {
        const x = await refresh();
        const t = await get<{ dsl: WorkflowDsl; layout?: Layout | null }>(
          `/api/v1/templates/${encodeURIComponent(x.template)}${qs({ version: x.version })}`,
        );
        if (alive) setDoc(layoutDoc(t.dsl, t.layout));
      } catch (err) {
        if (alive) setError((err as Error).message);
      }
    })();
    // The stream replays the whole history first, then follows live events.
    const seen = new Set<number>();
    const stop = streamEvents(
      `/api/v1/executions/${encodeURIComponent(id)}/events`,
      (type, data) => {
        if (!alive) return;
        if (type === "history") {
          const e = JSON.parse(data) as HistoryEvent;
          if (seen.has(e.seq)) return;
          seen.add(e.seq);
          setEvents((xs) => [...xs, e]);
        } else if (type === "status") setExec(JSON.parse(data) as Execution);
      },
      { onEnd: () => alive && refresh().catch(() => {}) },
    );
    return () => {
      alive = false;
      stop();
    };
  }, [id]);

  const runs = useMemo(() => stateRuns(events), [events]);
  const status = useMemo(() => (doc ? statusByNode(doc, runs) : new Map()), [
    doc,
    runs,
  ]);
  const taken = useMemo(
    () => (doc ? takenEdges(doc, events) : new Set<string>()),
    [doc, events],
  );
  const pickedRuns = runs.filter((r) => doc && picked && nodeForStatePath(doc, r.path) === picked);

  const act = async (what: "cancel" | "redrive") => {
    try {
      await post(`/api/v1/executions/${encodeURIComponent(id)}/${what}`);
      toast(what === "cancel" ? "Cancellation requested" : "Redriven");
      const x = await refresh();
      if (what === "redrive" && x.status === "running") location.reload();
    } catch (err) {
      toastError(err);
    }
  };

  if (error) {
    return <div className="page error-page">Could not open execution: {error}</div>;
  }
  if (!exec) return <div className="page">Loading…</div>;
  return (
    <div className="execution-page">
      <div className="toolbar">
        <h2>
          <a href={`#/workflows/${encodeURIComponent(exec.template)}`}>
            {exec.template}
          </a>{" "}
          <span className="muted">v{exec.version}</span> · {exec.name || exec.id}
        </h2>
        <span
          className={`pill status-${exec.status}`}
          data-testid="exec-status"
        >
          {exec.status}
        </span>
        <span className="muted">
          {duration(exec.startedAt, exec.stoppedAt)}
        </span>
        <div className="segmented">
          {(["graph", "table", "events"] as View[]).map((v) => (
            <button
              type="button"
              key={v}
              className={view === v ? "active" : ""}
              data-testid={`view-${v}`}
              onClick={() => setView(v)}
            >
              {v}
            </button>
          ))}
        </div>
        <span className="spacer" />
        <button
          type="button"
          className="danger"
          disabled={exec.status !== "running"}
          onClick={() => act("cancel")}
          data-testid="cancel"
        >
          Cancel
        </button>
        <button
          type="button"
          disabled={exec.status !== "failed" && exec.status !== "timed_out" &&
            exec.status !== "cancelled"}
          onClick={() => act("redrive")}
          data-testid="redrive"
        >
          Redrive
        </button>
      </div>
      <div className="exec-body">
        <div className="exec-main">
          {view === "graph" && doc && (
            <Canvas
              doc={doc}
              dir="TB"
              selected={picked ? new Set([picked]) : new Set()}
              onSelect={(s) => setPicked([...s][0])}
              status={status}
              taken={taken}
            />
          )}
          {view === "table" && (
            <RunsTable
              runs={runs}
              start={Date.parse(exec.startedAt)}
              onPick={(r) => doc && setPicked(nodeForStatePath(doc, r.path))}
            />
          )}
          {view === "events" && <EventsView id={id} live={events} />}
        </div>
        <aside className="side">
          <h4>Execution</h4>
          {exec.error && <div className="field-error">{exec.error}: {exec.cause}</div>}
          <h5>Input</h5>
          <JsonBlock value={exec.input} />
          <h5>Output</h5>
          <JsonBlock value={exec.output} />
          {pickedRuns.length > 0 && (
            <div data-testid="state-panel">
              <h4>State {pickedRuns[0].name}</h4>
              {pickedRuns.slice(-5).map((r) => (
                <div key={r.path} className="card">
                  <div className="muted">
                    {r.path} ·{" "}
                    <span className={`pill status-${r.status}`}>
                      {r.status}
                    </span>{" "}
                    · {r.retries} retries
                  </div>
                  <h5>Input</h5>
                  <JsonBlock value={r.input} />
                  <h5>Output</h5>
                  <JsonBlock value={r.output} />
                  {r.error && <div className="field-error">{r.error}: {r.cause}</div>}
                </div>
              ))}
            </div>
          )}
        </aside>
      </div>
    </div>
  );
}

function RunsTable(
  { runs, start, onPick }: {
    runs: StateRun[];
    start: number;
    onPick: (r: StateRun) => void;
  },
) {
  const end = Math.max(start + 1, ...runs.map((r) => r.exitedAt ?? Date.now()));
  const span = end - start;
  return (
    <Table
      rows={runs}
      testId="runs-table"
      onRow={onPick}
      columns={[
        ["State", (r) => <span title={r.path}>{r.path}</span>],
        ["Type", (r) => r.type],
        [
          "Status",
          (r) => <span className={`pill status-${r.status}`}>{r.status}</span>,
        ],
        [
          "Duration",
          (r) => (r.exitedAt ? `${r.exitedAt - r.enteredAt} ms` : "…"),
        ],
        ["Retries", (r) => r.retries],
        ["Timeline", (r) => (
          <div className="timeline">
            <div
              className={`bar status-${r.status}`}
              style={{
                left: `${((r.enteredAt - start) / span) * 100}%`,
                width: `${
                  Math.max(
                    0.5,
                    (((r.exitedAt ?? end) - r.enteredAt) / span) * 100,
                  )
                }%`,
              }}
            />
          </div>
        )],
      ]}
    />
  );
}

function EventsView({ id, live }: { id: string; live: HistoryEvent[] }) {
  const [pages, setPages] = useState<HistoryEvent[]>([]);
  const [next, setNext] = useState<string | undefined>();
  const [loaded, setLoaded] = useState(false);
  const load = async (token?: string) => {
    const page = await get<Page<HistoryEvent>>(
      `/api/v1/executions/${encodeURIComponent(id)}/history${qs({ limit: 100, nextToken: token })}`,
    );
    setPages((xs) => (token ? [...xs, ...page.items] : page.items));
    setNext(page.nextToken);
    setLoaded(true);
  };
  useEffect(() => void load().catch(toastError), [id]);
  const known = new Set(pages.map((e) => e.seq));
  const rows = [
    ...pages,
    ...(next ? [] : live.filter((e) => !known.has(e.seq))),
  ];
  return (
    <div>
      <Table
        rows={rows}
        testId="events-table"
        empty={loaded ? "No events." : "Loading…"}
        columns={[
          ["#", (e) => e.seq],
          ["Type", (e) => e.type],
          ["State", (e) => e.statePath],
          ["Time", (e) => new Date(e.timestamp).toLocaleTimeString()],
          ["Details", (e) => (
            <code className="event-detail">
              {JSON.stringify(
                e.error ? { error: e.error, cause: e.cause } : e.output ?? e.input ?? e.details ?? "",
              ).slice(0, 160)}
            </code>
          )],
        ]}
      />
      {next && (
        <button
          type="button"
          onClick={() => load(next).catch(toastError)}
        >
          Load more
        </button>
      )}
    </div>
  );
}
