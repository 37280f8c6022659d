/** Triggers: a list with type, schedule/endpoint, target, an enabled switch, next and last fire. */
import { useEffect, useState } from "react";
import type { EventConfig, Firing, ScheduleConfig, Trigger } from "../../../services/igniter/types.ts";
import { get, type Page, post, qs } from "../api.ts";
import { navigate, useRoute } from "../router.ts";
import { Table } from "../ui/table.tsx";
import { toast, toastError } from "../ui/toast.tsx";
import { ErrorLine, usePaged } from "./resource.tsx";
import { useCan } from "./role.ts";
import { Pill, relTime, When } from "./ui.tsx";
import { TriggerDetail } from "./trigger_detail.tsx";
import { TriggerCreate } from "./trigger_create.tsx";

export function TriggersPage({ name }: { name?: string }) {
  const creating = useRoute().query.get("new") !== null;
  if (name) return <TriggerDetail key={name} name={name} />;
  return creating ? <TriggerCreate /> : <TriggerList />;
}

/** Where a target lives in Studio: wf:NAME → the workflow, fn:NAME → the function. */
export function targetHref(target: string | null | undefined): string | undefined {
  if (!target) return undefined;
  let m = /^wf:([^:]+)$/.exec(target) ?? /^trn:stepflow:[^:]*:template\/([^:]+)/.exec(target);
  if (m) return `#/workflows/${encodeURIComponent(m[1])}`;
  m = /^fn:([^:]+)/.exec(target) ?? /^trn:aionixfn:[^:]*:function\/([^:]+)/.exec(target);
  if (m) return `#/functions/${encodeURIComponent(m[1])}`;
  return undefined;
}

export function Target({ target }: { target: string | null | undefined }) {
  if (!target) return <span className="muted">no target</span>;
  const href = targetHref(target);
  return href
    ? (
      <a href={href}>
        <code>{target}</code>
      </a>
    )
    : <code>{target}</code>;
}

/** One line describing what fires the trigger. */
export function triggerSource(t: Trigger): string {
  if (t.type === "schedule") {
    const c = t.config as ScheduleConfig;
    const expr = c.cron
      ? `cron(${c.cron})`
      : c.rate
      ? `rate(${c.rate.replace(/^rate\((.*)\)$/, "$1")})`
      : c.at
      ? `at(${c.at})`
      : c.expression ?? "";
    return `${expr}${c.timezone && c.timezone !== "UTC" ? ` ${c.timezone}` : ""}`;
  }
  if (t.type === "webhook") return `POST ${t.webhookPath ?? ""}`;
  const c = t.config as EventConfig;
  return `${c.eventBus ?? "default"} bus: ${JSON.stringify(c.pattern).slice(0, 70)}`;
}

export function EnabledSwitch(
  { trigger, onChange, disabled }: { trigger: Trigger; onChange: () => void; disabled?: boolean },
) {
  const [busy, setBusy] = useState(false);
  const toggle = async () => {
    setBusy(true);
    try {
      const action = trigger.enabled ? "disable" : "enable";
      await post(`/api/v1/triggers/${encodeURIComponent(trigger.name)}/${action}`);
      toast(`${trigger.name} ${action}d`);
      onChange();
    } catch (err) {
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="switch-cell">
      <button
        type="button"
        role="switch"
        aria-checked={trigger.enabled}
        aria-label={trigger.enabled ? "Disable" : "Enable"}
        title={disabled
          ? "changing a trigger needs the operator role"
          : trigger.enabled
          ? "Disable"
          : "Enable"}
        className={trigger.enabled ? "switch on" : "switch"}
        disabled={busy || disabled}
        data-testid={`toggle-${trigger.name}`}
        onClick={(e) => {
          e.stopPropagation();
          toggle();
        }}
      />
      <Pill status={trigger.enabled ? "enabled" : "disabled"}>
        {trigger.enabled ? "Enabled" : "Disabled"}
      </Pill>
    </span>
  );
}

function TriggerList() {
  const [type, setType] = useState("");
  const list = usePaged<Trigger>("/api/v1/triggers", { type: type || undefined });
  const canWrite = useCan("operator");
  return (
    <div className="console-page">
      <div className="console-head">
        <h2>Triggers</h2>
        <span className="muted">({list.items.length})</span>
        <span className="spacer" />
        <select value={type} onChange={(e) => setType(e.target.value)} data-testid="trigger-type-filter">
          <option value="">all types</option>
          <option value="schedule">schedule</option>
          <option value="webhook">webhook</option>
          <option value="event">event rule</option>
        </select>
        <button type="button" onClick={list.reload}>Refresh</button>
        <button
          type="button"
          disabled={!canWrite}
          title={canWrite ? undefined : "creating a trigger needs the operator role"}
          onClick={() => navigate("/triggers?new=1")}
          data-testid="new-trigger"
        >
          New trigger
        </button>
      </div>
      <ErrorLine error={list.error} />
      <Table
        rows={list.items}
        testId="triggers"
        empty={`No triggers${
          type ? ` of type ${type}` : ""
        } yet. Create one with New trigger or: aio trigger create`}
        onRow={(t) => navigate(`/triggers/${encodeURIComponent(t.name)}`)}
        columns={[
          ["Name", (t) => <a href={`#/triggers/${encodeURIComponent(t.name)}`}>{t.name}</a>],
          ["Type", (t) => <Pill status="type">{t.type}</Pill>],
          ["Source", (t) => <code>{triggerSource(t)}</code>],
          ["Target", (t) => <Target target={t.target} />],
          ["State", (t) => <EnabledSwitch trigger={t} onChange={list.reload} disabled={!canWrite} />],
          ["Next fire", (t) =>
            t.type !== "schedule"
              ? <span className="muted">on request</span>
              : t.nextFireAt
              ? <span title={t.nextFireAt}>{relTime(t.nextFireAt)}</span>
              : <span className="muted">{t.enabled ? "none" : "disabled"}</span>],
          [
            "Last fired",
            (t) => (t.lastFireAt ? <When iso={t.lastFireAt} /> : <span className="muted">never</span>),
          ],
        ]}
      />
      {list.more && <button type="button" onClick={list.more}>Load more</button>}
    </div>
  );
}

/**
 * When the trigger last fired: schedules carry lastFireAt; webhooks and event rules are read from
 * the newest history entry.
 */
export function LastFired({ trigger }: { trigger: Trigger }) {
  const [at, setAt] = useState<string | null | undefined>(
    trigger.type === "schedule" ? trigger.lastFireAt : undefined,
  );
  useEffect(() => {
    if (trigger.type === "schedule") return setAt(trigger.lastFireAt);
    let live = true;
    get<Page<Firing>>(`/api/v1/triggers/${encodeURIComponent(trigger.name)}/history?limit=1`)
      .then((p) => live && setAt(p.items[0]?.acceptedAt ?? null))
      .catch(() => live && setAt(null));
    return () => void (live = false);
  }, [trigger.name, trigger.type, trigger.lastFireAt, trigger.updatedAt]);
  if (at === undefined) return <span className="muted">…</span>;
  return at ? <When iso={at} /> : <span className="muted">never</span>;
}

export const historyQuery = (status: string) => qs({ status: status || undefined, limit: 50 });
