/**
 * The HTTP client of Studio: bearer token from localStorage, JSON in and out, problem+json
 * errors turned into ApiError (with the field-level issues and validation diagnostics).
 */
import type { Diagnostic } from "../../services/stepflow/types.ts";

export type { Diagnostic };

const TOKEN_KEY = "aionix.token";
const TENANT_KEY = "aionix.tenant";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problem: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
  get diagnostics(): Diagnostic[] {
    return Array.isArray(this.problem.diagnostics) ? this.problem.diagnostics as Diagnostic[] : [];
  }
}

export const auth = {
  get token(): string | null {
    return localStorage.getItem(TOKEN_KEY);
  },
  set token(value: string | null) {
    if (value) localStorage.setItem(TOKEN_KEY, value);
    else localStorage.removeItem(TOKEN_KEY);
  },
  get tenant(): string | null {
    return localStorage.getItem(TENANT_KEY);
  },
  set tenant(value: string | null) {
    if (value) localStorage.setItem(TENANT_KEY, value);
    else localStorage.removeItem(TENANT_KEY);
  },
};

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { accept: "application/json", ...extra };
  if (auth.token) h.authorization = `Bearer ${auth.token}`;
  if (auth.tenant) h["x-aionix-tenant"] = auth.tenant;
  return h;
}

/** Listeners told when the server rejects the token (the app goes back to sign-in). */
export const unauthorized = new Set<() => void>();

export async function api<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: headers(
      body !== undefined ? { "content-type": "application/json" } : {},
    ),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) {
    const problem = (data && typeof data === "object" ? data : {}) as Record<
      string,
      unknown
    >;
    if (res.status === 401) { for (const fn of unauthorized) fn(); }
    const detail = typeof problem.detail === "string"
      ? problem.detail
      : typeof data === "string"
      ? data
      : res.statusText;
    throw new ApiError(res.status, detail || `HTTP ${res.status}`, problem);
  }
  return data as T;
}

export const get = <T>(path: string) => api<T>("GET", path);
export const post = <T>(path: string, body?: unknown) => api<T>("POST", path, body ?? {});
export const put = <T>(path: string, body?: unknown) => api<T>("PUT", path, body ?? {});
export const del = <T>(path: string) => api<T>("DELETE", path);

export function qs(
  params: Record<string, string | number | undefined | null>,
): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : "";
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/**
 * Server-Sent Events over fetch (EventSource cannot send the Authorization header). Reconnects
 * with Last-Event-ID until closed or the server ends the stream after a final event.
 */
export function streamEvents(
  path: string,
  onEvent: (event: string, data: string, id?: string) => void,
  options: { onError?: (err: unknown) => void; onEnd?: () => void } = {},
): () => void {
  const ctrl = new AbortController();
  let lastId: string | undefined;
  let stopped = false;
  const run = async () => {
    for (let attempt = 0; !stopped && attempt < 20; attempt++) {
      try {
        const res = await fetch(path, {
          headers: headers({
            accept: "text/event-stream",
            ...(lastId ? { "last-event-id": lastId } : {}),
          }),
          signal: ctrl.signal,
        });
        if (!res.ok || !res.body) {
          throw new ApiError(
            res.status,
            `event stream failed: HTTP ${res.status}`,
          );
        }
        const reader = res.body.pipeThrough(new TextDecoderStream())
          .getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut: number;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            let event = "message";
            let id: string | undefined;
            const data: string[] = [];
            for (const line of block.split("\n")) {
              if (line.startsWith(":")) continue;
              const colon = line.indexOf(":");
              const field = colon < 0 ? line : line.slice(0, colon);
              const val = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
              if (field === "event") event = val;
              else if (field === "data") data.push(val);
              else if (field === "id") id = val;
            }
            if (id) lastId = id;
            if (data.length) onEvent(event, data.join("\n"), id);
          }
        }
        options.onEnd?.();
        return;
      } catch (err) {
        if (stopped) return;
        options.onError?.(err);
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** attempt)));
      }
    }
  };
  run();
  return () => {
    stopped = true;
    ctrl.abort();
  };
}
