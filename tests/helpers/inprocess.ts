/**
 * Builds a complete server in-process on a temp data dir, for `app.request()`-style tests
 * without a socket. Pass `services` to test one service alone.
 */
import { parseConfig } from "../../runtime/config.ts";
import { silentLogger } from "../../runtime/log.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { ServiceFactory } from "../../runtime/service.ts";
import { type AionixServer, createServer } from "../../server.ts";

export interface InProcess {
  server: AionixServer;
  token: string;
  dataDir: string;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  json<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{
    status: number;
    body: T;
  }>;
  close(): Promise<void>;
}

export async function inProcess(
  options: {
    services?: ServiceFactory[];
    config?: Record<string, unknown>;
    clock?: Clock;
    env?: Record<string, string>;
  } = {},
): Promise<InProcess> {
  const dataDir = await Deno.makeTempDir({ prefix: "aionix-inproc-" });
  const config = parseConfig({
    ...options.config,
    database: { data_path: dataDir, ...(options.config?.database as object) },
  });
  const server = await createServer(config, {
    logger: silentLogger,
    services: options.services,
    clock: options.clock,
    env: options.env,
    processMetrics: false,
  });
  const token = server.createdAdminToken!;
  const request = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    Promise.resolve(server.fetch(
      new Request(`http://127.0.0.1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      }),
    ));
  return {
    server,
    token,
    dataDir,
    request,
    async json<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
      const res = await request(method, path, body, headers);
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
    async close() {
      await server.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}
