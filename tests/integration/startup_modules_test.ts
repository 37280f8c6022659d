/**
 * What a server start loads, watched through the V8 inspector (every script V8 parses is
 * reported): the route schemas, OpenAPI generator, JSONata (CommonJS, which brings up the Node
 * module loader), prom-client and the Node compatibility layers the server does not need must
 * stay out of the start path, and load on first use. Start-up time itself is measured by
 * `deno task bench platform`, not asserted here.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { MAIN, ROOT } from "../helpers/server.ts";

interface Parsed {
  url: string;
}

async function scriptsParsed(
  steps: (port: number, dataDir: string) => Promise<void>,
): Promise<{ beforeSteps: Parsed[]; afterSteps: Parsed[] }> {
  const dataDir = await Deno.makeTempDir({ prefix: "aionix-startup-" });
  const inspect = 20000 + Math.floor(Math.random() * 20000);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--inspect-wait=127.0.0.1:${inspect}`,
      "-A",
      MAIN,
      "serve",
      "--port",
      "0",
      "--data",
      dataDir,
      "--log-level",
      "info",
    ],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let ws: WebSocket | undefined;
  try {
    let wsUrl: string | undefined;
    for (let i = 0; i < 200 && !wsUrl; i++) {
      await new Promise((r) => setTimeout(r, 50));
      try {
        const list = await (await fetch(`http://127.0.0.1:${inspect}/json/list`)).json();
        wsUrl = list[0]?.webSocketDebuggerUrl;
      } catch { /* inspector not up yet */ }
    }
    assert(wsUrl, "the inspector did not come up");
    const socket = ws = new WebSocket(wsUrl);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = reject;
    });
    const parsed: Parsed[] = [];
    socket.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      if (msg.method === "Debugger.scriptParsed") parsed.push({ url: msg.params.url });
    };
    let id = 0;
    for (const method of ["Runtime.enable", "Debugger.enable", "Runtime.runIfWaitingForDebugger"]) {
      socket.send(JSON.stringify({ id: ++id, method, params: {} }));
    }
    let log = "";
    let port = 0;
    while (!port) {
      const { value, done } = await stderr.read();
      if (done) throw new Error(`server exited:\n${log}`);
      log += value;
      port = Number(/"msg":"listening".*?"port":(\d+)/.exec(log)?.[1] ?? 0);
    }
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    assertEquals(ready.status, 200, await ready.text());
    // Whatever the server starts right after ready (timers, recovery) gets a moment to run.
    await new Promise((r) => setTimeout(r, 300));
    const beforeSteps = [...parsed];
    await steps(port, dataDir);
    await new Promise((r) => setTimeout(r, 100));
    return { beforeSteps, afterSteps: [...parsed] };
  } finally {
    ws?.close();
    child.kill("SIGKILL");
    await child.status;
    await stderr.cancel().catch(() => {});
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

const has = (scripts: Parsed[], part: string) => scripts.some((s) => s.url.includes(part));

const LAZY = [
  "/zod/", // request validation: loads with the first route group or validation
  "/@hono/zod-openapi/", // OpenAPI routes: mounted per service on first request
  "/jsonata/", // CommonJS: brings up the Node module loader
  "/prom-client/", // first /metrics scrape
  "/yaml/",
  "services/paramstore/routes.ts",
  "services/stepflow/routes/",
  "services/aionixfn/routes.ts",
  "runtime/http/kernel_routes.ts",
  "services/stepflow/dsl/schema.ts",
  "services/igniter/schemas.ts",
  "ext:deno_node/path/", // node:path
  "ext:deno_node/internal/util/parse_args/", // node:util parseArgs
  "ext:deno_node/internal_binding/tcp_wrap.ts", // node:net
];

Deno.test("a server start loads no zod, route schemas, JSONata, prom-client or unneeded Node layers; first use does", async () => {
  const { beforeSteps, afterSteps } = await scriptsParsed(async (port, dataDir) => {
    const token = (await Deno.readTextFile(`${dataDir}/admin.token`)).trim();
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const base = `http://127.0.0.1:${port}`;
    const put = await fetch(`${base}/api/v1/params/${encodeURIComponent("/app/greeting")}`, {
      method: "PUT",
      headers,
      body: JSON.stringify({ value: "{% 'hi ' & 'there' %}" }),
    });
    assertEquals(put.status, 200, await put.text());
    const got =
      await (await fetch(`${base}/api/v1/params/${encodeURIComponent("/app/greeting")}`, { headers })).json();
    assertEquals(got.value, "hi there");
    const metrics = await fetch(`${base}/metrics`);
    const text = await metrics.text();
    // The PUT made before prom-client loaded was queued and replayed, not lost.
    assert(
      /aionix_http_requests_total\{method="PUT",route="\/api\/v1\/params[^"]*",status="200"\} 1/.test(text),
      text,
    );
  });
  const loadedAtStart = LAZY.filter((part) => has(beforeSteps, part));
  assertEquals(loadedAtStart, [], `loaded before the first request:\n${loadedAtStart.join("\n")}`);
  assert(beforeSteps.length < 300, `${beforeSteps.length} scripts parsed at start`);
  // The same modules do load when they are used, so the check above is not vacuous.
  for (
    const part of [
      "/zod/",
      "/@hono/zod-openapi/",
      "/jsonata/",
      "/prom-client/",
      "services/paramstore/routes.ts",
    ]
  ) {
    assert(has(afterSteps, part), `${part} did not load on first use`);
  }
  assert(!has(afterSteps, "services/stepflow/routes/"), "a ParamStore request mounted StepFlow's routes");
});
