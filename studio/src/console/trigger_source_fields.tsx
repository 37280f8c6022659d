/**
 * The type-specific parts of the New trigger form: a schedule (cron/rate/at, time zone, live preview
 * of the next fire times), a webhook (signature style, CredVault secret) and an event rule (bus,
 * pattern checked against a sample event by POST /api/v1/events/test-pattern).
 */
import { useEffect, useState } from "react";
import { post } from "../api.ts";
import { errorAt, Field, type FieldErrors, fieldErrors, SecretPicker } from "./form.tsx";
import { JsonEditor, parseJson, relTime, useBusy } from "./ui.tsx";

export type ScheduleMode = "cron" | "rate" | "at";
export interface ScheduleState {
  mode: ScheduleMode;
  expr: string;
  timezone: string;
}
export type WebhookStyle = "none" | "github" | "stripe" | "bearer";
export interface WebhookState {
  style: WebhookStyle;
  secret: string;
}
export interface EventState {
  bus: string;
  pattern: string;
  sample: string;
}

export function scheduleConfig(s: ScheduleState): Record<string, unknown> {
  return { [s.mode]: s.expr.trim(), ...(s.timezone ? { timezone: s.timezone } : {}) };
}

export function webhookConfig(w: WebhookState): Record<string, unknown> {
  if (w.style === "none") return { allowUnauthenticated: true };
  if (w.style === "bearer") return { bearer: { secret: w.secret } };
  return { signature: { style: w.style, secrets: w.secret ? [w.secret] : [] } };
}

const EXAMPLES: Record<ScheduleMode, string> = {
  cron: "0 9 * * 1-5",
  rate: "5 minutes",
  at: "2030-01-01T09:00:00",
};

const ZONES: string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf("timeZone");
  } catch {
    return ["UTC"];
  }
})();

export function ScheduleFields(
  { value, onChange, errors }: {
    value: ScheduleState;
    onChange: (v: ScheduleState) => void;
    errors: FieldErrors;
  },
) {
  const [preview, setPreview] = useState<{ fireTimes: string[]; timezone: string }>();
  const [previewErrors, setPreviewErrors] = useState<FieldErrors>({});
  const key = JSON.stringify(value);
  useEffect(() => {
    if (!value.expr.trim()) return (setPreview(undefined), setPreviewErrors({}));
    let live = true;
    const timer = setTimeout(() => {
      post<{ fireTimes: string[]; timezone: string }>("/api/v1/triggers/preview", {
        config: scheduleConfig(value),
        count: 5,
      })
        .then((p) => live && (setPreview(p), setPreviewErrors({})))
        .catch((e) => live && (setPreview(undefined), setPreviewErrors(fieldErrors(e))));
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);
  const all = { ...previewErrors, ...errors };
  const exprError = errorAt(all, `/config/${value.mode}`) ?? errorAt(all, "/config/expression") ??
    (all["/config"] || all[""]);
  return (
    <>
      <div className="form-grid">
        <Field label="Schedule" testId="sched-mode">
          <select
            value={value.mode}
            onChange={(e) => onChange({ ...value, mode: e.target.value as ScheduleMode, expr: "" })}
            data-testid="sched-mode"
          >
            <option value="cron">cron expression</option>
            <option value="rate">fixed rate</option>
            <option value="at">once, at a time</option>
          </select>
        </Field>
        <Field
          label={value.mode === "cron" ? "Cron *" : value.mode === "rate" ? "Every *" : "At (local time) *"}
          hint={`e.g. ${EXAMPLES[value.mode]}`}
          error={exprError}
          testId="sched-expr"
        >
          <input
            value={value.expr}
            placeholder={EXAMPLES[value.mode]}
            className={exprError ? "invalid" : undefined}
            onChange={(e) => onChange({ ...value, expr: e.target.value })}
            data-testid="sched-expr"
          />
        </Field>
        <Field label="Time zone" error={errorAt(all, "/config/timezone")} testId="sched-tz">
          <input
            list="tz-list"
            value={value.timezone}
            placeholder="UTC"
            onChange={(e) => onChange({ ...value, timezone: e.target.value })}
            data-testid="sched-tz"
          />
          <datalist id="tz-list">
            {ZONES.map((z) => <option key={z} value={z} />)}
          </datalist>
        </Field>
      </div>
      <div className="fire-preview" data-testid="sched-preview">
        <span className="field-label">Next fire times{preview ? ` (${preview.timezone})` : ""}</span>
        {preview
          ? preview.fireTimes.length
            ? (
              <ol>
                {preview.fireTimes.map((t) => (
                  <li key={t}>
                    <code>{t}</code>{" "}
                    <span className="muted">{new Date(t).toLocaleString()} · {relTime(t)}</span>
                  </li>
                ))}
              </ol>
            )
            : <p className="muted">This schedule never fires again.</p>
          : <p className="muted">{value.expr.trim() ? "…" : "Enter a schedule to see when it fires."}</p>}
      </div>
    </>
  );
}

export function WebhookFields(
  { value, onChange, errors }: {
    value: WebhookState;
    onChange: (v: WebhookState) => void;
    errors: FieldErrors;
  },
) {
  const secretError = errorAt(errors, "/config/signature") ?? errorAt(errors, "/config/bearer");
  return (
    <div className="form-grid">
      <Field
        label="Authentication"
        testId="hook-style"
        error={errorAt(errors, "/config/allowUnauthenticated")}
        hint={value.style === "github"
          ? "X-Hub-Signature-256: sha256=HMAC(secret, body)"
          : value.style === "stripe"
          ? "Stripe-Signature: t=…,v1=HMAC(secret, t.body)"
          : value.style === "bearer"
          ? "Authorization: Bearer <secret>"
          : "anyone who knows the URL can fire it"}
      >
        <select
          value={value.style}
          onChange={(e) => onChange({ ...value, style: e.target.value as WebhookStyle })}
          data-testid="hook-style"
        >
          <option value="github">GitHub-style signature (HMAC-SHA256)</option>
          <option value="stripe">Stripe-style signature (timestamped)</option>
          <option value="bearer">Bearer token</option>
          <option value="none">none (unauthenticated)</option>
        </select>
      </Field>
      {value.style !== "none" && (
        <Field label="Secret (CredVault) *" error={secretError} testId="hook-secret">
          <SecretPicker
            value={value.secret}
            onChange={(secret) => onChange({ ...value, secret })}
            testId="hook-secret"
            none="choose a secret…"
          />
        </Field>
      )}
    </div>
  );
}

export function EventFields(
  { value, onChange, errors }: { value: EventState; onChange: (v: EventState) => void; errors: FieldErrors },
) {
  const [result, setResult] = useState<{ match?: boolean; errors: FieldErrors }>({ errors: {} });
  const [busy, run] = useBusy();
  const test = () =>
    run(async () => {
      const pattern = parseJson(value.pattern);
      const sample = parseJson(value.sample);
      if (!pattern.ok) return setResult({ errors: { "/pattern": `not JSON: ${pattern.error}` } });
      if (!sample.ok) return setResult({ errors: { "/event": `not JSON: ${sample.error}` } });
      try {
        const r = await post<{ result: boolean }>("/api/v1/events/test-pattern", {
          pattern: pattern.value,
          event: sample.value,
        });
        setResult({ match: r.result, errors: {} });
      } catch (err) {
        setResult({ errors: fieldErrors(err) });
      }
    });
  useEffect(() => setResult({ errors: {} }), [value.pattern, value.sample]);
  const patternError = errorAt(result.errors, "/pattern") ?? errorAt(errors, "/config/pattern");
  return (
    <>
      <Field label="Event bus" error={errorAt(errors, "/config/eventBus")} testId="event-bus">
        <input
          value={value.bus}
          placeholder="default"
          onChange={(e) => onChange({ ...value, bus: e.target.value })}
          data-testid="event-bus"
        />
      </Field>
      <div className="two-col">
        <Field
          label="Pattern *"
          hint='e.g. {"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}'
          error={patternError}
          testId="event-pattern"
        >
          <JsonEditor
            value={value.pattern}
            onChange={(pattern) => onChange({ ...value, pattern })}
            rows={9}
            testId="event-pattern"
          />
        </Field>
        <Field label="Sample event" error={errorAt(result.errors, "/event")} testId="event-sample">
          <JsonEditor
            value={value.sample}
            onChange={(sample) => onChange({ ...value, sample })}
            rows={9}
            testId="event-sample"
          />
        </Field>
      </div>
      <div className="inline-form">
        <button type="button" disabled={busy} onClick={test} data-testid="event-test">Test pattern</button>
        <span data-testid="event-test-result">
          {result.match === true && <span className="validity good">✓ the sample event matches</span>}
          {result.match === false && <span className="validity bad">✗ the sample event does not match</span>}
          {result.errors[""] && <span className="field-error">{result.errors[""]}</span>}
        </span>
      </div>
    </>
  );
}
