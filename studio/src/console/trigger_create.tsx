/**
 * New trigger: name, type (schedule, webhook, event rule), a target picked from the workflows or
 * functions lists, the type's source fields, and enable-after-create. Server errors (problem+json
 * errors[] with JSON pointers) are shown by the field they name.
 */
import { useState } from "react";
import type { Trigger } from "../../../services/igniter/types.ts";
import { post } from "../api.ts";
import { navigate } from "../router.ts";
import { toast, toastError } from "../ui/toast.tsx";
import { errorAt, Field, type FieldErrors, fieldErrors, FormErrors, unclaimed } from "./form.tsx";
import { usePaged } from "./resource.tsx";
import {
  EventFields,
  type EventState,
  scheduleConfig,
  ScheduleFields,
  type ScheduleState,
  webhookConfig,
  WebhookFields,
  type WebhookState,
} from "./trigger_source_fields.tsx";
import { Crumbs, Panel, parseJson, useBusy } from "./ui.tsx";

type TriggerType = "schedule" | "webhook" | "event";

const SAMPLE_EVENT = JSON.stringify(
  { source: "shop", "detail-type": "OrderPlaced", detail: { total: 120, currency: "EUR" } },
  null,
  2,
);

export function TriggerCreate() {
  const templates = usePaged<{ name: string }>("/api/v1/templates");
  const functions = usePaged<{ name: string }>("/api/v1/functions");
  const [name, setName] = useState("");
  const [type, setType] = useState<TriggerType>("schedule");
  const [description, setDescription] = useState("");
  const [targetKind, setTargetKind] = useState<"wf" | "fn">("wf");
  const [targetName, setTargetName] = useState("");
  const [enable, setEnable] = useState(true);
  const [schedule, setSchedule] = useState<ScheduleState>({ mode: "cron", expr: "", timezone: "UTC" });
  const [webhook, setWebhook] = useState<WebhookState>({ style: "github", secret: "" });
  const [event, setEvent] = useState<EventState>({
    bus: "",
    pattern: JSON.stringify({ source: ["shop"] }, null, 2),
    sample: SAMPLE_EVENT,
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, run] = useBusy();

  const config = (): { config: Record<string, unknown> } | { errors: FieldErrors } => {
    if (type === "schedule") return { config: scheduleConfig(schedule) };
    if (type === "webhook") return { config: webhookConfig(webhook) };
    const p = parseJson(event.pattern);
    if (!p.ok) return { errors: { "/config/pattern": `not JSON: ${p.error}` } };
    return { config: { pattern: p.value, ...(event.bus ? { eventBus: event.bus } : {}) } };
  };

  const create = () =>
    run(async () => {
      const built = config();
      if ("errors" in built) return setErrors(built.errors);
      let created: Trigger;
      try {
        created = await post<Trigger>("/api/v1/triggers", {
          name,
          type,
          ...(targetName ? { target: `${targetKind}:${targetName}` } : {}),
          ...(description ? { description } : {}),
          config: built.config,
        });
      } catch (err) {
        return setErrors(fieldErrors(err));
      }
      setErrors({});
      if (enable) {
        try {
          await post(`/api/v1/triggers/${encodeURIComponent(created.name)}/enable`);
          toast(`Trigger ${created.name} created and enabled`);
        } catch (err) {
          toastError(err);
        }
      } else toast(`Trigger ${created.name} created (disabled)`);
      navigate(`/triggers/${encodeURIComponent(created.name)}`);
    });

  const targets = targetKind === "wf" ? templates.items : functions.items;
  return (
    <div className="console-page create-page" data-testid="trigger-create">
      <Crumbs items={[["Triggers", "#/triggers"], ["New trigger"]]} />
      <Panel title="New trigger">
        <div className="form-grid">
          <Field
            label="Name *"
            error={errors["/name"]}
            testId="trg-name"
            hint="letters, digits, '_', '.', '-'"
          >
            <input value={name} onChange={(e) => setName(e.target.value)} data-testid="trg-name" />
          </Field>
          <Field label="Type" error={errors["/type"]} testId="trg-type">
            <select
              value={type}
              onChange={(e) => (setType(e.target.value as TriggerType), setErrors({}))}
              data-testid="trg-type"
            >
              <option value="schedule">schedule</option>
              <option value="webhook">webhook</option>
              <option value="event">event rule</option>
            </select>
          </Field>
          <Field label="Description" error={errors["/description"]} testId="trg-description">
            <input value={description} onChange={(e) => setDescription(e.target.value)} />
          </Field>
        </div>
      </Panel>
      <Panel title="Target">
        <div className="form-grid">
          <Field label="Kind" testId="trg-target-kind">
            <select
              value={targetKind}
              onChange={(e) => (setTargetKind(e.target.value as "wf" | "fn"), setTargetName(""))}
              data-testid="trg-target-kind"
            >
              <option value="wf">workflow</option>
              <option value="fn">function</option>
            </select>
          </Field>
          <Field
            label={targetKind === "wf" ? "Workflow" : "Function"}
            error={errorAt(errors, "/target")}
            testId="trg-target"
            hint={targetName
              ? `target ${targetKind}:${targetName}`
              : "without a target the trigger stays disabled"}
          >
            <select
              value={targetName}
              onChange={(e) => setTargetName(e.target.value)}
              data-testid="trg-target"
            >
              <option value="">none</option>
              {targets.map((t) => <option key={t.name} value={t.name}>{t.name}</option>)}
            </select>
          </Field>
          <label className="check" data-testid="trg-enable-label">
            <input
              type="checkbox"
              checked={enable}
              disabled={!targetName}
              onChange={(e) => setEnable(e.target.checked)}
              data-testid="trg-enable"
            />{" "}
            enable after create
          </label>
        </div>
      </Panel>
      <Panel title={type === "schedule" ? "Schedule" : type === "webhook" ? "Webhook" : "Event rule"}>
        {type === "schedule" && <ScheduleFields value={schedule} onChange={setSchedule} errors={errors} />}
        {type === "webhook" && <WebhookFields value={webhook} onChange={setWebhook} errors={errors} />}
        {type === "event" && <EventFields value={event} onChange={setEvent} errors={errors} />}
      </Panel>
      <FormErrors
        messages={unclaimed(errors, ["/name", "/type", "/description", "/target", "/config"])}
      />
      <div className="form-actions">
        <button
          type="button"
          className="primary"
          disabled={busy || !name}
          onClick={create}
          data-testid="trg-create"
        >
          Create trigger
        </button>
        <a href="#/triggers">Cancel</a>
      </div>
    </div>
  );
}
