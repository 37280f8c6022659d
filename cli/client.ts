/** The CLI's HTTP client: endpoint, token and tenant from flags, env or the local data dir. */
import { CliError, EXIT, exitCodeForStatus } from "./errors.ts";

export interface GlobalOptions {
  endpoint?: string;
  token?: string;
  tenant?: string;
  /** The local server's data dir (`--data` before the command, `--data-dir` anywhere). */
  dataDir?: string;
  output?: string;
}

export interface ApiClient {
  endpoint: string;
  request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    init?: { query?: Record<string, unknown> },
  ): Promise<T>;
  /** Raw fetch with auth headers (for streams such as SSE). */
  raw(method: string, path: string, init?: RequestInit): Promise<Response>;
}

type Env = Record<string, string | undefined>;

async function findToken(options: GlobalOptions, vars: Env): Promise<string | undefined> {
  const env = (name: string) => vars[name] || undefined;
  const explicit = options.token ?? env("AIONIX_TOKEN");
  if (explicit) return explicit;
  const dataDir = options.dataDir ?? env("AIONIX_DATA") ?? "./data";
  try {
    return (await Deno.readTextFile(`${dataDir}/admin.token`)).trim() || undefined;
  } catch {
    return undefined;
  }
}

function formatProblem(status: number, body: Record<string, unknown> | undefined, fallback: string): string {
  if (!body || typeof body !== "object") return `HTTP ${status}: ${fallback}`;
  const lines = [`${body.title ?? "Error"} (${status}): ${body.detail ?? fallback}`];
  if (Array.isArray(body.errors)) {
    for (const e of body.errors as { path?: string; message?: string }[]) {
      lines.push(`  ${e.path || "/"}: ${e.message}`);
    }
  }
  if (Array.isArray(body.diagnostics)) {
    for (
      const d of body.diagnostics as { path?: string; message?: string; severity?: string; code?: string }[]
    ) {
      lines.push(`  ${d.severity ?? "error"} ${d.code ?? ""} ${d.path || "/"}: ${d.message}`);
    }
  }
  return lines.join("\n");
}

/** `vars` is the process environment, passed down from main.ts (AIONIX_ENDPOINT, AIONIX_TOKEN, ...). */
export async function createClient(options: GlobalOptions, vars: Env = {}): Promise<ApiClient> {
  const env = (name: string) => vars[name] || undefined;
  const endpoint = (options.endpoint ?? env("AIONIX_ENDPOINT") ?? "http://127.0.0.1:53000").replace(
    /\/+$/,
    "",
  );
  const token = await findToken(options, vars);
  const tenant = options.tenant ?? env("AIONIX_TENANT");
  const headers = (extra?: HeadersInit) => {
    const h = new Headers(extra);
    if (token) h.set("authorization", `Bearer ${token}`);
    if (tenant) h.set("x-aionix-tenant", tenant);
    return h;
  };
  const raw = async (method: string, path: string, init: RequestInit = {}) => {
    try {
      return await fetch(endpoint + path, { ...init, method, headers: headers(init.headers) });
    } catch (err) {
      throw new CliError(
        `cannot reach the server at ${endpoint}: ${(err as Error).message}\n` +
          "  start it with 'aionix serve' or point --endpoint / AIONIX_ENDPOINT at a running server",
        EXIT.unreachable,
      );
    }
  };
  return {
    endpoint,
    raw,
    async request<T>(
      method: string,
      path: string,
      body?: unknown,
      init?: { query?: Record<string, unknown> },
    ) {
      let url = path;
      if (init?.query) {
        const q = new URLSearchParams();
        for (const [k, v] of Object.entries(init.query)) {
          if (v !== undefined && v !== null && v !== false) q.set(k, String(v));
        }
        const s = q.toString();
        if (s) url += (url.includes("?") ? "&" : "?") + s;
      }
      const res = await raw(method, url, {
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: body === undefined ? {} : { "content-type": "application/json" },
      });
      const text = await res.text();
      let parsed: unknown = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
      if (!res.ok) {
        let message = formatProblem(res.status, parsed as Record<string, unknown>, res.statusText);
        if (res.status === 401 && !token) {
          message +=
            "\n  no token found: pass --token, set AIONIX_TOKEN, or run next to the server's data dir (--data)";
        }
        throw new CliError(message, exitCodeForStatus(res.status));
      }
      return parsed as T;
    },
  };
}
