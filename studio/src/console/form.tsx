/**
 * Create and edit form building blocks: a labelled field that shows the server's error for its JSON
 * pointer, the mapping from a problem+json `errors[]` to pointers, a "not saved" toast, and a
 * secret-name picker over CredVault.
 */
import type { ReactNode } from "react";
import { ApiError } from "../api.ts";
import { toast } from "../ui/toast.tsx";
import { usePaged } from "./resource.tsx";

export type FieldErrors = Record<string, string>;

/** problem+json `errors[{path, message}]` → {pointer: message}; anything else under "" (the form). */
export function fieldErrors(err: unknown): FieldErrors {
  const out: FieldErrors = {};
  const list = err instanceof ApiError && Array.isArray(err.problem.errors)
    ? err.problem.errors as Array<{ path?: string; message?: string }>
    : [];
  for (const e of list) {
    const p = typeof e.path === "string" ? e.path.replace(/^\/body(?=\/|$)/, "") : "";
    out[p] = out[p] ? `${out[p]}; ${e.message}` : String(e.message ?? "invalid");
  }
  if (!list.length) out[""] = (err as Error)?.message ?? String(err);
  return out;
}

/** The errors at `pointer` or below it that no field closer to them claims (first one wins). */
export function errorAt(errors: FieldErrors, pointer: string, exact = false): string | undefined {
  if (errors[pointer]) return errors[pointer];
  if (exact) return undefined;
  const below = Object.entries(errors).filter(([k]) => k.startsWith(`${pointer}/`));
  return below.length ? below.map(([k, v]) => `${k.slice(pointer.length + 1)}: ${v}`).join("; ") : undefined;
}

/** Errors no field on the form shows, for the form's footer. */
export function unclaimed(errors: FieldErrors, claimed: string[]): string[] {
  return Object.entries(errors)
    .filter(([k]) => !claimed.some((c) => k === c || k.startsWith(`${c}/`)))
    .map(([k, v]) => (k ? `${k}: ${v}` : v));
}

/** An error toast listing why a form was not saved (the fields show the same errors in place). */
export function toastNotSaved(what: string, errors: FieldErrors) {
  const list = Object.entries(errors).map(([k, v]) => (k ? `${k}: ${v}` : v));
  toast(`${what} not saved: ${list.join("; ")}`, "error");
}

export function Field(
  { label, hint, error, children, testId }: {
    label: string;
    hint?: ReactNode;
    error?: string;
    children: ReactNode;
    testId?: string;
  },
) {
  return (
    <div className={`field${error ? " has-error" : ""}`} data-field={testId}>
      <span className="field-label">{label}</span>
      {children}
      {hint && <span className="field-hint">{hint}</span>}
      {error && (
        <span className="field-error" data-testid={testId ? `${testId}-error` : undefined}>{error}</span>
      )}
    </div>
  );
}

/**
 * A select over the tenant's CredVault secret names (values are never fetched). A current value
 * that is not (or not yet) in the list stays selectable, so an edit form does not drop it.
 */
export function SecretPicker(
  { value, onChange, testId, none = "none" }: {
    value: string;
    onChange: (name: string) => void;
    testId?: string;
    none?: string;
  },
) {
  const secrets = usePaged<{ name: string; type: string }>("/api/v1/secrets");
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
      <option value="">{none}</option>
      {value && !secrets.items.some((s) => s.name === value) && <option value={value}>{value}</option>}
      {secrets.items.map((s) => <option key={s.name} value={s.name}>{s.name} ({s.type})</option>)}
    </select>
  );
}

export function FormErrors({ messages }: { messages: string[] }) {
  if (!messages.length) return null;
  return (
    <div className="form-errors" data-testid="form-errors">
      {messages.map((m) => <div key={m} className="field-error">{m}</div>)}
    </div>
  );
}
