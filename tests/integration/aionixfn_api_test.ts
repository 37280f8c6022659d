/** AionixFn over HTTP against the real server subprocess (real SQLite, real function host and Python). */
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { ROOT, startServer, type TestServer } from "../helpers/server.ts";

const echoTs = await Deno.readTextFile(`${ROOT}fixtures/functions/echo.ts`);
const echoPy = await Deno.readTextFile(`${ROOT}fixtures/functions/echo.py`);

// deno-lint-ignore no-explicit-any
type Json = any;

async function withServer(fn: (s: TestServer) => Promise<void>) {
  const server = await startServer({ env: { AIONIX_FN_TEST_SECRET: "do-not-leak" } });
  try {
    await fn(server);
  } finally {
    await server.stop();
  }
}

Deno.test("functions over HTTP: create, invoke, publish, alias, update, versions, delete (Deno and Python)", async () => {
  await withServer(async (s) => {
    for (
      const [name, runtime, code, factor] of [["ts-echo", "deno", echoTs, 2], [
        "py-echo",
        "python",
        echoPy,
        3,
      ]] as const
    ) {
      const created = await s.json<Json>("POST", "/api/v1/functions", {
        name,
        runtime,
        code,
        memory: 128,
        timeout: 5,
      });
      assertEquals(created.status, 201, JSON.stringify(created.body));
      assertEquals(created.body.trn, `trn:aionixfn:default:function/${name}`);
      const run = await s.json<Json>("POST", `/api/v1/functions/${name}/invoke`, { x: 7 });
      assertEquals(run.status, 200);
      assertEquals(run.body.status, "succeeded");
      assertEquals(run.body.result.y, 7 * factor);
      assertEquals(run.body.version, "$LATEST");
      const v1 = await s.json<Json>("POST", `/api/v1/functions/${name}/versions`, { description: "first" });
      assertEquals(v1.status, 201);
      assertEquals(v1.body.version, 1);
      assertEquals(v1.body.codeHash, created.body.codeHash);
      assertEquals(
        (await s.json<Json>("POST", `/api/v1/functions/${name}/versions`)).status,
        200,
        "unchanged draft",
      );
      assertEquals(
        (await s.json<Json>("POST", `/api/v1/functions/${name}/aliases`, { name: "live", version: "1" }))
          .status,
        201,
      );
      const changed = runtime === "deno"
        ? "export default (e: { x: number }) => ({ y: e.x * 10 })"
        : "def handler(event, context):\n    return {'y': event['x'] * 10}\n";
      const updated = await s.json<Json>("PUT", `/api/v1/functions/${name}`, { code: changed });
      assertEquals(updated.status, 200);
      assertEquals(
        (await s.json<Json>("POST", `/api/v1/functions/${name}/invoke`, { x: 1 })).body.result.y,
        10,
      );
      const viaAlias = await s.json<Json>("POST", `/api/v1/functions/${name}:live/invoke`, { x: 1 });
      assertEquals(viaAlias.body.version, "1", "the alias still runs version 1");
      assertEquals(viaAlias.body.result.y, factor);
      const viaQuery = await s.json<Json>("POST", `/api/v1/functions/${name}/invoke?qualifier=1`, { x: 2 });
      assertEquals(viaQuery.body.result.y, 2 * factor);
      assertEquals((await s.json<Json>("POST", `/api/v1/functions/${name}/versions`)).body.version, 2);
      const versions = await s.json<Json>("GET", `/api/v1/functions/${name}/versions`);
      assertEquals(versions.body.items.map((v: Json) => v.version), [1, 2]);
      const aliases = await s.json<Json>("GET", `/api/v1/functions/${name}/aliases`);
      assertEquals(aliases.body.items.map((a: Json) => [a.name, a.version]), [["live", "1"]]);
      assertEquals(
        (await s.json<Json>("PUT", `/api/v1/functions/${name}/aliases/live`, { version: "2" })).body.version,
        "2",
      );
      assertEquals(
        (await s.json<Json>("POST", `/api/v1/functions/${name}:live/invoke`, { x: 1 })).body.result.y,
        10,
      );
    }
    const list = await s.json<Json>("GET", "/api/v1/functions");
    assertEquals(list.body.items.map((f: Json) => f.name), ["py-echo", "ts-echo"]);
    const withCode = await s.json<Json>("GET", "/api/v1/functions/ts-echo?code=true");
    assertEquals(withCode.body.code.kind, "inline");
    assertEquals((await s.json<Json>("DELETE", "/api/v1/functions/ts-echo")).status, 204);
    assertEquals((await s.json<Json>("GET", "/api/v1/functions/ts-echo")).status, 404);
    assertEquals((await s.json<Json>("POST", "/api/v1/functions/ts-echo/invoke", {})).status, 404);
  });
});

Deno.test("function errors come back as {errorType, errorMessage, stack}; platform errors as problems", async () => {
  await withServer(async (s) => {
    await s.json("POST", "/api/v1/functions", {
      name: "thrower",
      runtime: "deno",
      code: "export default () => { throw new TypeError('not a number') }",
    });
    const res = await s.api("POST", "/api/v1/functions/thrower/invoke", { x: 1 });
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("x-aionix-function-error"), "TypeError");
    const body = await res.json();
    assertEquals(body.status, "failed");
    assertEquals(body.error.errorType, "TypeError");
    assertEquals(body.error.errorMessage, "not a number");
    assert(Array.isArray(body.error.stack));
    const missing = await s.api("POST", "/api/v1/functions/nope/invoke", {});
    assertEquals(missing.status, 404);
    assertEquals(missing.headers.get("content-type"), "application/problem+json");
    const bad: [unknown, number, RegExp][] = [
      [{ name: "x", runtime: "deno" }, 400, /code/],
      [{ name: "x", runtime: "ruby", code: "" }, 400, /runtime/],
      [{ name: "x", runtime: "deno", code: "export default () => 1", colour: "red" }, 400, /colour/],
      [{ name: "x", runtime: "deno", code: "1", handler: "not valid!" }, 400, /handler/],
      [{ name: "x y", runtime: "deno", code: "1" }, 400, /name/],
      [{ name: "x", runtime: "deno", code: "1", memory: 100000 }, 400, /memory/],
      [{ name: "x", runtime: "deno", code: "1", permissions: { read: ["relative/path"] } }, 400, /absolute/],
    ];
    for (const [input, status, re] of bad) {
      const r = await s.json<Json>("POST", "/api/v1/functions", input);
      assertEquals(r.status, status, JSON.stringify(r.body));
      assertMatch(JSON.stringify(r.body), re);
    }
    const alias = await s.json<Json>("POST", "/api/v1/functions/thrower/aliases", {
      name: "live",
      version: "9",
    });
    assertEquals(alias.status, 400);
    assertMatch(alias.body.errors[0].message, /version 9 .* does not exist/);
    const badJson = await s.api("POST", "/api/v1/functions/thrower/invoke", "{not json");
    assertEquals(badJson.status, 400);
  });
});

Deno.test("limits over HTTP: timeout, memory, output, syntax, missing handler — the server keeps serving", async () => {
  await withServer(async (s) => {
    const fns: [string, string, string, Record<string, unknown>, string][] = [
      ["loop", "deno", "export default () => { for (;;) {} }", { timeout: 0.5 }, "Sandbox.Timedout"],
      [
        "pyloop",
        "python",
        "def handler(e, c):\n    while True:\n        pass\n",
        { timeout: 0.5 },
        "Sandbox.Timedout",
      ],
      ["oom", "deno", "export default () => { const a = []; for (;;) a.push(new Array(1e5).fill(1.5)); }", {
        memory: 64,
      }, "MemoryLimitExceeded"],
      [
        "pyoom",
        "python",
        "def handler(e, c):\n    a = []\n    while True:\n        a.append(bytearray(10**7))\n",
        { memory: 64 },
        "MemoryLimitExceeded",
      ],
      ["huge", "deno", "export default () => 'x'.repeat(7 * 1024 * 1024)", {}, "OutputLimitExceeded"],
      ["syntax", "deno", "export default () => {", {}, "Runtime.UserCodeSyntaxError"],
      ["nohandler", "python", "def other(e, c):\n    return 1\n", {}, "Runtime.HandlerNotFound"],
      [
        "forkbomb",
        "python",
        "import os\ndef handler(e, c):\n    while True:\n        os.fork()\n",
        {},
        "PermissionError",
      ],
      ["envleak", "deno", "export default () => Deno.env.get('AIONIX_FN_TEST_SECRET')", {}, "NotCapable"],
    ];
    await s.json("POST", "/api/v1/functions", {
      name: "ok",
      runtime: "deno",
      code: "export default () => 'fine'",
    });
    for (const [name, runtime, code, extra, errorType] of fns) {
      assertEquals(
        (await s.json<Json>("POST", "/api/v1/functions", { name, runtime, code, ...extra })).status,
        201,
      );
      const r = await s.json<Json>("POST", `/api/v1/functions/${name}/invoke`, {});
      assertEquals(r.status, 200, JSON.stringify(r.body));
      assertEquals(r.body.error?.errorType, errorType, `${name}: ${JSON.stringify(r.body.error)}`);
      const next = await s.json<Json>("POST", "/api/v1/functions/ok/invoke", {});
      assertEquals(next.body.result, "fine", `the server serves after ${name}`);
    }
    const logs = await s.json<Json>("GET", "/api/v1/functions/loop/logs");
    const levels = logs.body.items.map((l: Json) => l.level);
    assert(levels.includes("START") && levels.includes("END") && levels.includes("REPORT"), levels.join(","));
    const metrics = await s.json<Json>("GET", "/api/v1/functions/ok/metrics");
    assertEquals(metrics.body.total.invocations, fns.length);
    assertEquals(metrics.body.total.coldStarts, 1);
    const prom = await (await fetch(`${s.url}/metrics`)).text();
    assertMatch(prom, /aionix_fn_invocations_total\{tenant="default",function="ok",version="\$LATEST"\} 9/);
  });
});

Deno.test("reserved concurrency throttles excess invocations with 429 and Retry-After", async () => {
  await withServer(async (s) => {
    await s.json("POST", "/api/v1/functions", {
      name: "slow",
      runtime: "deno",
      code: "export default async () => { await new Promise((r) => setTimeout(r, 400)); return 1 }",
      reservedConcurrency: 1,
    });
    await s.json("POST", "/api/v1/functions/slow/invoke", {});
    const [a, b] = await Promise.all([
      s.api("POST", "/api/v1/functions/slow/invoke", {}),
      new Promise((r) => setTimeout(r, 100)).then(() => s.api("POST", "/api/v1/functions/slow/invoke", {})),
    ]);
    assertEquals(a.status, 200);
    assertEquals(b.status, 429);
    assertEquals(b.headers.get("retry-after"), "1");
    await a.body?.cancel();
    assertMatch((await b.json()).detail, /reserved concurrency of 1/);
    await s.json("PUT", "/api/v1/functions/slow", { reservedConcurrency: 0 });
    assertEquals((await s.api("POST", "/api/v1/functions/slow/invoke", {})).status, 429);
    const metrics = await s.json<Json>("GET", "/api/v1/functions/slow/metrics");
    assertEquals(metrics.body.total.throttles, 2);
  });
});

Deno.test("alias traffic weights are honoured over HTTP (2,000 invocations within ±3%)", async () => {
  await withServer(async (s) => {
    await s.json("POST", "/api/v1/functions", {
      name: "canary",
      runtime: "deno",
      code: "export default () => 'a'",
    });
    await s.json("POST", "/api/v1/functions/canary/versions");
    await s.json("PUT", "/api/v1/functions/canary", { code: "export default () => 'b'" });
    await s.json("POST", "/api/v1/functions/canary/versions");
    await s.json("POST", "/api/v1/functions/canary/aliases", { name: "prod", version: "1" });
    const split = await s.json<Json>("POST", "/api/v1/functions/canary/aliases/prod/traffic", {
      "1": 0.9,
      "2": 0.1,
    });
    assertEquals(split.status, 200);
    assertEquals(split.body.weights, { "1": 0.9, "2": 0.1 });
    const three = await s.json<Json>("POST", "/api/v1/functions/canary/aliases/prod/traffic", {
      "1": 0.5,
      "2": 0.3,
      "3": 0.2,
    });
    assertEquals(three.status, 400);
    const counts: Record<string, number> = {};
    const n = 2000;
    for (let i = 0; i < n; i += 16) {
      const batch = await Promise.all(
        Array.from(
          { length: Math.min(16, n - i) },
          () => s.json<Json>("POST", "/api/v1/functions/canary:prod/invoke", {}),
        ),
      );
      for (const r of batch) counts[r.body.version] = (counts[r.body.version] ?? 0) + 1;
    }
    assert(Math.abs(counts["1"] / n - 0.9) <= 0.03, JSON.stringify(counts));
    assert(Math.abs(counts["2"] / n - 0.1) <= 0.03, JSON.stringify(counts));
  });
});
