/**
 * OpenAct: the cost an http action adds over a raw fetch() to the same loopback server.
 * "raw fetch" is the baseline; "act via bus" runs the action as a workflow task would
 * (bus → executor → action lookup → credential (cached) → input checks → connector → fetch);
 * "act via REST" adds the in-process HTTP app (auth, routing, validation, logging).
 * Target: the bus path adds ≤ 0.3 ms at p50.
 */
import type { BenchContext } from "../lib.ts";
import { percentile } from "../lib.ts";
import { parseConfig } from "../../../runtime/config.ts";
import { silentLogger } from "../../../runtime/log.ts";
import { createServer } from "../../../server.ts";
import { createOpenActService } from "../../../services/openact/mod.ts";
import { fakeCredVault, startStub } from "../../helpers/openact_stubs.ts";

export default async function (bench: BenchContext) {
  const stub = await startStub(() => Response.json({ ok: true }));
  const dataDir = await Deno.makeTempDir({ prefix: "aionix-bench-openact-" });
  const secrets = new Map<string, unknown>([[
    "trn:credvault:default:credential/bench-token",
    "bench-token-value",
  ]]);
  const server = await createServer(parseConfig({ database: { data_path: dataDir } }), {
    logger: silentLogger,
    services: [fakeCredVault(secrets), createOpenActService],
    processMetrics: false,
  });
  const token = server.createdAdminToken!;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await server.fetch(
      new Request(`http://127.0.0.1${path}`, {
        method,
        headers: { host: "127.0.0.1", authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    const json = await res.json();
    if (!res.ok) throw new Error(JSON.stringify(json));
    return json;
  };
  try {
    await call("POST", "/api/v1/connections", {
      name: "bench",
      kind: "http",
      settings: { baseUrl: stub.url, allowPrivateNetwork: true, auth: { type: "bearer" } },
      credential: "bench-token",
    });
    await call("POST", "/api/v1/actions", {
      name: "ping",
      connection: "bench",
      operation: "get",
      parameters: { path: "/ping" },
    });
    const client = Deno.createHttpClient({});
    const raw = await bench.measure("raw fetch to loopback server", async () => {
      const res = await fetch(`${stub.url}/ping`, { headers: { authorization: "Bearer x" }, client });
      await res.json();
    }, { iterations: 2000, warmup: 200 });
    const bus = await bench.measure("http action via bus (act:http.ping)", async () => {
      await server.deps.bus.execute("act:http.ping", "default", { input: {} });
    }, { iterations: 2000, warmup: 200, target: "≤ raw + 0.3 ms" });
    await bench.measure("http action via REST (in-process app)", async () => {
      await call("POST", "/api/v1/actions/http.ping/execute", { input: {} });
    }, { iterations: 1000, warmup: 100 });
    const added = percentile(bus.samples, 50) - percentile(raw.samples, 50);
    bench.record("added by OpenAct (bus p50 − raw p50)", [], {
      value: `${added.toFixed(3)} ms`,
      target: "≤ 0.3 ms",
    });
    client.close();
  } finally {
    await server.close();
    await stub.close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}
