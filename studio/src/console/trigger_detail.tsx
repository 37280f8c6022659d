/** One trigger: details, type-specific configuration, next fire times (schedules) and its firing history. */
import { useCallback, useEffect, useState } from "react";
import type {
  EventConfig,
  Firing,
  ScheduleConfig,
  Trigger,
  WebhookConfig,
} from "../../../services/igniter/types.ts";
import { get, type Page } from "../api.ts";
import { Table } from "../ui/table.tsx";
import { ErrorLine } from "./resource.tsx";
import { useCan } from "./role.ts";
import { Crumbs, KeyValue, Panel, Pill, relTime, When } from "./ui.tsx";
import {
  EnabledSwitch,
  historyQuery,
  LastFired,
  Target,
  targetHref,
  triggerSource,
} from "./triggers_page.tsx";

const STATUSES = [
  "",
  "pending",
  "retrying",
  "dispatched",
  "succeeded",
  "failed",
  "timed_out",
  "dead_lettered",
  "skipped",
];

export function TriggerDetail({ name }: { name: string }) {
  const base = `/api/v1/triggers/${encodeURIComponent(name)}`;
  const [trigger, setTrigger] = useState<Trigger>();
  const [error, setError] = useState<string>();
  const canWrite = useCan("operator");
  const load = useCallback(() => {
    get<Trigger>(base).then((t) => {
      setTrigger(t);
      setError(undefined);
    }).catch((e) => setError(e.message));
  }, [base]);
  useEffect(load, [load]);
  return (
    <div className="console-page" data-testid="trigger-detail">
      <Crumbs items={[["Triggers", "#/triggers"], [name]]} />
      <div className="console-head">
        <h2>{name}</h2>
        {trigger && <Pill status="type">{trigger.type}</Pill>}
        <span className="sub">{trigger?.trn}</span>
        <span className="spacer" />
        {trigger && <EnabledSwitch trigger={trigger} onChange={load} disabled={!canWrite} />}
      </div>
      <ErrorLine error={error} />
      {trigger && (
        <>
          <Panel title="Details">
            <KeyValue
              testId="trigger-summary"
              rows={{
                "Source": <code>{triggerSource(trigger)}</code>,
                "Target": <Target target={trigger.target} />,
                "Description": trigger.description,
                "Retry policy":
                  `${trigger.retryPolicy.maxAttempts} attempts, every ${trigger.retryPolicy.intervalSeconds} s ×${trigger.retryPolicy.backoffRate}, max age ${trigger.retryPolicy.maxEventAgeSeconds} s`,
                "Dead letter": trigger.deadLetter
                  ? (
                    <code>
                      {"target" in trigger.deadLetter
                        ? trigger.deadLetter.target
                        : `bus ${trigger.deadLetter.eventBus}`}
                    </code>
                  )
                  : "none",
                "Last fired": <LastFired trigger={trigger} />,
                "Created": <When iso={trigger.createdAt} />,
                "Updated": <When iso={trigger.updatedAt} />,
              }}
            />
          </Panel>
          <ConfigPanel trigger={trigger} />
          {trigger.type === "schedule" && <NextFires base={base} trigger={trigger} />}
          <History base={base} trigger={trigger} />
        </>
      )}
    </div>
  );
}

function ConfigPanel({ trigger }: { trigger: Trigger }) {
  if (trigger.type === "schedule") {
    const c = trigger.config as ScheduleConfig;
    return (
      <Panel title="Schedule">
        <KeyValue
          rows={{
            "Expression": <code>{c.cron ?? c.rate ?? c.at ?? c.expression}</code>,
            "Time zone": c.timezone ?? "UTC",
            "Active window": c.startAt || c.endAt ? `${c.startAt ?? "…"} → ${c.endAt ?? "…"}` : "always",
            "Flexible window": c.flexibleWindowMinutes ? `${c.flexibleWindowMinutes} min` : "off",
            "Missed fires": c.missedFires ?? "skip",
            "Overlapping runs": c.overlap ?? "allow",
          }}
        />
      </Panel>
    );
  }
  if (trigger.type === "webhook") {
    const c = trigger.config as WebhookConfig;
    const auth = c.signature
      ? `${c.signature.style} signature (${c.signature.secrets.join(", ")})`
      : c.bearer
      ? `bearer token (${c.bearer.secret})`
      : c.allowUnauthenticated
      ? "none (unauthenticated)"
      : "—";
    return (
      <Panel title="Webhook endpoint">
        <KeyValue
          rows={{
            "URL": <code data-testid="webhook-url">{`${location.origin}${trigger.webhookPath ?? ""}`}</code>,
            "Authentication": auth,
            "Mode": c.mode ?? "async",
            "De-duplication": c.deliveryIdHeader
              ? `${c.deliveryIdHeader}, ${c.dedupWindowSeconds ?? "default"} s`
              : "default",
          }}
        />
      </Panel>
    );
  }
  const c = trigger.config as EventConfig;
  return (
    <Panel title="Event pattern">
      <KeyValue rows={{ "Event bus": c.eventBus ?? "default" }} />
      <pre className="json">{JSON.stringify(c.pattern, null, 2)}</pre>
    </Panel>
  );
}

function NextFires({ base, trigger }: { base: string; trigger: Trigger }) {
  const [preview, setPreview] = useState<{ fireTimes: string[]; timezone: string }>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    get<{ fireTimes: string[]; timezone: string }>(`${base}/preview?count=10`).then(setPreview)
      .catch((e) => setError(e.message));
  }, [base, trigger.updatedAt]);
  return (
    <Panel title="Next fire times" testId="next-fires">
      <ErrorLine error={error} />
      {!trigger.enabled && (
        <p className="note">The trigger is disabled: these are the times it would fire once enabled.</p>
      )}
      {preview && (
        <Table
          rows={preview.fireTimes}
          empty="No future fire times (the schedule has ended)."
          testId="fire-times"
          columns={[
            ["#", (_t, i) => i + 1],
            ["Local time", (t) => new Date(t).toLocaleString()],
            [`UTC`, (t) => <code>{t}</code>],
            ["In", (t) => relTime(t)],
          ]}
        />
      )}
    </Panel>
  );
}

function History({ base, trigger }: { base: string; trigger: Trigger }) {
  const [status, setStatus] = useState("");
  const [items, setItems] = useState<Firing[]>([]);
  const [next, setNext] = useState<string>();
  const [error, setError] = useState<string>();
  const load = useCallback(async (token?: string) => {
    try {
      const page = await get<Page<Firing>>(
        `${base}/history${historyQuery(status)}${token ? `&nextToken=${encodeURIComponent(token)}` : ""}`,
      );
      setItems((xs) => (token ? [...xs, ...page.items] : page.items));
      setNext(page.nextToken);
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [base, status]);
  useEffect(() => {
    load();
    const t = setInterval(() => load(), 5000);
    return () => clearInterval(t);
  }, [load]);
  const workflow = !!targetHref(trigger.target)?.startsWith("#/workflows/");
  return (
    <Panel
      title="History"
      testId="trigger-history"
      actions={
        <select
          value={status}
          onChange={(e) => setStatus(e.target.value)}
          data-testid="history-status"
        >
          {STATUSES.map((s) => <option key={s} value={s}>{s || "any outcome"}</option>)}
        </select>
      }
    >
      <ErrorLine error={error} />
      <Table
        rows={items}
        testId="firings"
        empty={status ? `No ${status} firings.` : "Never fired."}
        columns={[
          ["Time", (f) => <When iso={f.scheduledAt ?? f.acceptedAt} />],
          ["Source", (f) => f.source],
          ["Outcome", (f) => <Pill status={f.status}>{f.status}</Pill>],
          ["Run", (f) => (f.runStatus
            ? <Pill status={f.runStatus}>{f.runStatus}</Pill>
            : <span className="muted">—</span>)],
          ["Attempts", (f) =>
            f.attempts],
          ["Execution", (f) =>
            f.executionId
              ? workflow
                ? (
                  <a
                    href={`#/executions/${encodeURIComponent(f.executionId)}`}
                    data-testid="firing-execution"
                  >
                    <code>{f.executionId}</code>
                  </a>
                )
                : <code>{f.executionId}</code>
              : <span className="muted">—</span>],
          ["Detail", (f) =>
            f.error ?? f.reason ?? (f.deliveryId ? `delivery ${f.deliveryId}` : "")],
        ]}
      />
      {next && <button type="button" onClick={() => load(next)}>Load more</button>}
    </Panel>
  );
}
