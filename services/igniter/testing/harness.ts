/**
 * Test support: a full in-process server (real SQLite file, real HTTP app) with Igniter and
 * FakeTargets, on a data dir that survives `restart()` so restarts and clock changes can be
 * tested with an injected clock.
 */
import { parseConfig } from "../../../runtime/config.ts";
import type { Clock } from "../../../runtime/clock.ts";
import { silentLogger } from "../../../runtime/log.ts";
import { type AionixServer, createServer } from "../../../server.ts";
import { createIgniterService, igniterOf } from "../mod.ts";
import type { Igniter } from "../igniter.ts";
import { FakeTargets } from "./fake_targets.ts";

export interface Harness {
  server: AionixServer;
  igniter: Igniter;
  targets: FakeTargets;
  dataDir: string;
  token: string;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  // deno-lint-ignore no-explicit-any -- test bodies are asserted field by field
  json<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Closes and opens the server again on the same data dir (optionally with another clock). */
  restart(clock?: Clock): Promise<void>;
  close(): Promise<void>;
}

export async function harness(
  options: { clock?: Clock; random?: () => number; dataDir?: string; config?: Record<string, unknown> } = {},
): Promise<Harness> {
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "aionix-igniter-" });
  let targets = new FakeTargets();
  let server!: AionixServer;
  let token = "";
  const open = async (clock?: Clock) => {
    targets = new FakeTargets();
    const previous = targets;
    server = await createServer(parseConfig({ ...options.config, database: { data_path: dataDir } }), {
      logger: silentLogger,
      clock,
      processMetrics: false,
      services: [(deps) => createIgniterService(deps, { random: options.random }), previous.factory()],
    });
    token = server.createdAdminToken ?? token;
  };
  await open(options.clock);
  const h: Harness = {
    get server() {
      return server;
    },
    get igniter() {
      return igniterOf(server.modules.find((m) => m.name === "igniter")!);
    },
    get targets() {
      return targets;
    },
    dataDir,
    get token() {
      return token;
    },
    request(method, path, body, headers = {}) {
      return Promise.resolve(server.fetch(
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
    },
    async json(method, path, body) {
      const res = await h.request(method, path, body);
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async restart(clock) {
      await server.close();
      await open(clock ?? options.clock);
    },
    async close() {
      await server.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
  return h;
}

/** Lets queued promise callbacks (dispatches) run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}
