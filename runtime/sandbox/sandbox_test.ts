/**
 * The sandbox against real subprocesses: a Deno function host with permission-restricted
 * Workers and rlimited Python processes. Each escape attempt is refused, each limit gives its
 * own error, and the next invocation still works.
 */
import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { type FunctionSpec, type InvokeOutcome, type LogLine, Sandbox } from "./mod.ts";

let n = 0;
function deno(code: string, extra: Partial<FunctionSpec> = {}): FunctionSpec {
  return {
    key: `d${++n}`,
    runtime: "deno",
    handler: "default",
    source: { kind: "inline", code },
    env: {},
    permissions: { net: [], env: [], read: [] },
    memoryMb: 128,
    timeoutMs: 3000,
    ...extra,
  };
}
function python(code: string, extra: Partial<FunctionSpec> = {}): FunctionSpec {
  return { ...deno(code, extra), key: `p${++n}`, runtime: "python", handler: "handler", ...extra };
}
const ctx = () => ({
  requestId: crypto.randomUUID(),
  functionTrn: "trn:aionixfn:default:function/t",
  functionName: "t",
  version: "$LATEST",
  tenant: "default",
  deadline: Date.now() + 10_000,
});

async function withSandbox(fn: (sb: Sandbox) => Promise<void>) {
  const sb = new Sandbox({
    maxPoolSize: 2,
    idleTtlMs: 60_000,
    outputLimit: 100_000,
    logLimit: 4096,
    env: { AIONIX_TEST_SECRET: "s3cr3t", ALLOWED_VAR: "visible" },
  });
  try {
    await fn(sb);
  } finally {
    await sb.close();
  }
}

const errorOf = (o: InvokeOutcome) => `${o.error?.errorType}: ${o.error?.errorMessage}`;
const okValue = (o: InvokeOutcome) => {
  assert(o.ok, `expected success, got ${errorOf(o)}`);
  return JSON.parse(o.json!);
};

const echoDeno = deno(
  "export default (e: { x: number }, ctx: any) => ({ y: e.x + 1, left: ctx.getRemainingTimeInMillis() > 0 })",
);
const echoPython = python(
  "def handler(event, context):\n    return {'y': event['x'] + 1, 'left': context.get_remaining_time_in_millis() > 0}\n",
);

Deno.test("Deno functions run in a Worker, reuse it warm, capture console output and get a context", async () => {
  await withSandbox(async (sb) => {
    const logs: LogLine[] = [];
    const spec = deno(
      "export default async (e: any, ctx: any) => { console.log('hello', e.x); ctx.logger.warn('careful'); return { v: ctx.functionVersion, id: ctx.requestId, mem: ctx.memoryLimitInMB } }",
    );
    const c = ctx();
    const first = await sb.invoke(spec, { x: 1 }, c, { onLog: (l) => logs.push(l) });
    assertEquals(okValue(first), { v: "$LATEST", id: c.requestId, mem: 128 });
    assert(first.coldStart);
    const second = await sb.invoke(spec, { x: 2 }, ctx());
    assert(!second.coldStart, "the second call reuses the warm worker");
    assertEquals(logs, [{ level: "log", text: "hello 1" }, { level: "warn", text: "careful" }]);
  });
});

Deno.test("Python functions run in warm processes with print captured and a context", async () => {
  await withSandbox(async (sb) => {
    const logs: LogLine[] = [];
    const spec = python(
      "def handler(event, context):\n    print('hi', event['x'])\n    context.logger.info('note')\n    return {'fn': context.function_name, 'mem': context.memory_limit_in_mb}\n",
    );
    const first = await sb.invoke(spec, { x: 1 }, ctx(), { onLog: (l) => logs.push(l) });
    assertEquals(okValue(first), { fn: "t", mem: 128 });
    assert(first.coldStart);
    const second = await sb.invoke(spec, { x: 2 }, ctx());
    assert(!second.coldStart);
    assertEquals(logs, [{ level: "stdout", text: "hi 1" }, { level: "info", text: "note" }]);
  });
});

Deno.test("Deno sandbox refuses reading /etc/passwd, env, unlisted hosts, spawning and writing", async () => {
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    () => new Response("pong"),
  );
  await withSandbox(async (sb) => {
    const attempts: Record<string, string> = {
      read: "export default () => Deno.readTextFileSync('/etc/passwd')",
      env: "export default () => Deno.env.get('AIONIX_TEST_SECRET')",
      net: `export default async () => (await fetch('http://127.0.0.1:${server.addr.port}/')).status`,
      run: "export default () => new Deno.Command('/usr/bin/id').outputSync().code",
      write: "export default () => Deno.writeTextFileSync('/tmp/aionix-escape.txt', 'x')",
      ffi: "export default () => Deno.dlopen('/lib/x86_64-linux-gnu/libc.so.6', {})",
    };
    for (const [what, code] of Object.entries(attempts)) {
      const out = await sb.invoke(deno(code), {}, ctx());
      assert(!out.ok, `${what} must be refused`);
      assertMatch(errorOf(out), /NotCapable|Requires .* access/, `${what}: ${errorOf(out)}`);
    }
    let exists = true;
    try {
      await Deno.stat("/tmp/aionix-escape.txt");
    } catch {
      exists = false;
    }
    assert(!exists, "nothing was written");
    assertEquals(okValue(await sb.invoke(echoDeno, { x: 1 }, ctx())).y, 2);
  });
  await server.shutdown();
});

Deno.test("Deno permissions grant exactly the configured hosts, env names and read paths", async () => {
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    () => new Response("pong"),
  );
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/data.txt`, "readable");
  try {
    await withSandbox(async (sb) => {
      const spec = deno(
        `export default async () => ({
          net: await (await fetch('http://127.0.0.1:${server.addr.port}/')).text(),
          env: Deno.env.get('ALLOWED_VAR'),
          own: Deno.env.get('OWN'),
          file: Deno.readTextFileSync('${dir}/data.txt'),
        })`,
        {
          env: { OWN: "configured" },
          permissions: { net: [`127.0.0.1:${server.addr.port}`], env: ["ALLOWED_VAR"], read: [dir] },
        },
      );
      assertEquals(okValue(await sb.invoke(spec, {}, ctx())), {
        net: "pong",
        env: "visible",
        own: "configured",
        file: "readable",
      });
    });
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Python sandbox refuses /etc/passwd, other env, unlisted hosts, processes and writes outside its temp dir", async () => {
  await withSandbox(async (sb) => {
    const env = await sb.invoke(
      python("import os\ndef handler(e, c):\n    return os.environ.get('AIONIX_TEST_SECRET')\n"),
      {},
      ctx(),
    );
    assertEquals(okValue(env), null, "server env is not inherited");
    const attempts: Record<string, string> = {
      read: "def handler(e, c):\n    return open('/etc/passwd').read()\n",
      net: "import socket\ndef handler(e, c):\n    socket.create_connection(('127.0.0.1', 9), timeout=1)\n",
      run: "import subprocess\ndef handler(e, c):\n    return subprocess.run(['id']).returncode\n",
      system: "import os\ndef handler(e, c):\n    return os.system('id')\n",
      write: "def handler(e, c):\n    open('/tmp/aionix-escape-py.txt', 'w').write('x')\n",
      ctypes: "def handler(e, c):\n    import ctypes\n    return 1\n",
    };
    for (const [what, code] of Object.entries(attempts)) {
      const out = await sb.invoke(python(code), {}, ctx());
      assert(!out.ok, `${what} must be refused`);
      assertEquals(out.error?.errorType, "PermissionError", `${what}: ${errorOf(out)}`);
    }
    const tmp = await sb.invoke(
      python(
        "import os, tempfile\ndef handler(e, c):\n    p = os.path.join(tempfile.gettempdir(), 'ok.txt')\n    open(p, 'w').write('fine')\n    return open(p).read()\n",
      ),
      {},
      ctx(),
    );
    assertEquals(okValue(tmp), "fine", "its own temp dir is writable");
    assertEquals(okValue(await sb.invoke(echoPython, { x: 1 }, ctx())).y, 2);
  });
});

Deno.test("an infinite loop is killed at the timeout and the next call works (both runtimes)", async () => {
  await withSandbox(async (sb) => {
    for (
      const [spec, echo] of [
        [deno("export default () => { for (;;) {} }", { timeoutMs: 300 }), echoDeno],
        [python("def handler(e, c):\n    while True:\n        pass\n", { timeoutMs: 300 }), echoPython],
      ] as const
    ) {
      const out = await sb.invoke(spec, {}, ctx());
      assertEquals(out.error?.errorType, "Sandbox.Timedout", errorOf(out));
      assertMatch(out.error!.errorMessage, /timed out after 0.30 seconds/);
      assertEquals(okValue(await sb.invoke(echo, { x: 5 }, ctx())).y, 6);
    }
  });
});

Deno.test("exceeding memory fails with MemoryLimitExceeded and the next call works (both runtimes)", async () => {
  await withSandbox(async (sb) => {
    const denoOom = deno(
      "export default () => { const a: number[][] = []; for (;;) a.push(new Array(100000).fill(1.5)); }",
      {
        memoryMb: 64,
      },
    );
    const out = await sb.invoke(denoOom, {}, ctx());
    assertEquals(out.error?.errorType, "MemoryLimitExceeded", errorOf(out));
    assertEquals(
      okValue(await sb.invoke({ ...echoDeno, memoryMb: 64, key: "echo64" }, { x: 1 }, ctx())).y,
      2,
    );
    const pyOom = python(
      "def handler(e, c):\n    a = []\n    while True:\n        a.append(bytearray(10 ** 7))\n",
      {
        memoryMb: 64,
      },
    );
    const pout = await sb.invoke(pyOom, {}, ctx());
    assertEquals(pout.error?.errorType, "MemoryLimitExceeded", errorOf(pout));
    assertEquals(okValue(await sb.invoke(pyOom.key === "" ? echoPython : echoPython, { x: 1 }, ctx())).y, 2);
  });
});

Deno.test("a Deno function running out of memory never fails another tenant's call in flight", async () => {
  await withSandbox(async (sb) => {
    const oom = deno(
      "export default async () => { await new Promise((r) => setTimeout(r, 300)); const a: number[][] = []; for (;;) a.push(new Array(100000).fill(1.5)); }",
      { memoryMb: 64 },
    );
    const slow = deno(
      "export default async (e: { x: number }) => { await new Promise((r) => setTimeout(r, 1500)); return { y: e.x * 2 }; }",
      { memoryMb: 64 },
    );
    const sameTenant = deno(slow.source.kind === "inline" ? slow.source.code : "", { memoryMb: 64 });
    const [a, b, c] = await Promise.all([
      sb.invoke(oom, {}, ctx()),
      sb.invoke(slow, { x: 21 }, { ...ctx(), tenant: "other" }),
      sb.invoke(sameTenant, { x: 1 }, ctx()),
    ]);
    assertEquals(a.error?.errorType, "MemoryLimitExceeded", errorOf(a));
    assertEquals(okValue(b).y, 42, "the other tenant's call, on its own host, finished");
    // Same tenant and memory size share the host: that call ends with it, and says so.
    assertEquals(c.error?.errorType, "MemoryLimitExceeded", errorOf(c));
    assertMatch(c.error!.errorMessage, /this function or another 64 MB function of tenant 'default'/);
    const hosts = sb.stats().deno.hosts.map((h) => `${h.memoryMb}/${h.tenant}`).sort();
    assertEquals(hosts, ["64/other"], "the dead host is gone; the next call starts a fresh one");
  });
});

Deno.test("a Python fork bomb is refused and the process group is contained", async () => {
  await withSandbox(async (sb) => {
    const out = await sb.invoke(
      python("import os\ndef handler(e, c):\n    while True:\n        os.fork()\n"),
      {},
      ctx(),
    );
    assertEquals(out.error?.errorType, "PermissionError", errorOf(out));
    assertMatch(out.error!.errorMessage, /os\.fork is not allowed/);
    assertEquals(okValue(await sb.invoke(echoPython, { x: 1 }, ctx())).y, 2);
  });
});

Deno.test("huge results fail with OutputLimitExceeded and huge logs are truncated (both runtimes)", async () => {
  await withSandbox(async (sb) => {
    const big = await sb.invoke(deno("export default () => 'x'.repeat(1_000_000)"), {}, ctx());
    assertEquals(big.error?.errorType, "OutputLimitExceeded", errorOf(big));
    const pbig = await sb.invoke(python("def handler(e, c):\n    return 'x' * 1000000\n"), {}, ctx());
    assertEquals(pbig.error?.errorType, "OutputLimitExceeded", errorOf(pbig));
    for (
      const spec of [
        deno("export default () => { for (let i = 0; i < 10000; i++) console.log('line', i); return 1 }"),
        python("def handler(e, c):\n    for i in range(10000):\n        print('line', i)\n    return 1\n"),
      ]
    ) {
      const logs: LogLine[] = [];
      const out = await sb.invoke(spec, {}, ctx(), { onLog: (l) => logs.push(l) });
      assertEquals(okValue(out), 1);
      assert(logs.length < 1000, `logs were capped (${logs.length} lines)`);
      assertMatch(logs[logs.length - 1].text, /truncated/);
    }
  });
});

Deno.test("syntax errors, missing handlers and thrown errors each have their own error type", async () => {
  await withSandbox(async (sb) => {
    const cases: [FunctionSpec, string, RegExp][] = [
      [deno("export default (e) => { syntax error"), "Runtime.UserCodeSyntaxError", /Expected|Unexpected/],
      [
        deno("export const other = () => 1"),
        "Runtime.HandlerNotFound",
        /no exported function 'default'.*other/,
      ],
      [deno("export default () => { throw new RangeError('bad range') }"), "RangeError", /bad range/],
      [deno("export default () => { throw 'plain' }"), "Error", /plain/],
      [python("def handler(e, c)\n    return 1\n"), "Runtime.UserCodeSyntaxError", /line 1/],
      [python("def other(e, c):\n    return 1\n"), "Runtime.HandlerNotFound", /no function 'handler'/],
      [python("def handler(e, c):\n    raise ValueError('bad value')\n"), "ValueError", /bad value/],
    ];
    for (const [spec, type, message] of cases) {
      const out = await sb.invoke(spec, {}, ctx());
      assertEquals(out.error?.errorType, type, errorOf(out));
      assertMatch(out.error!.errorMessage, message);
    }
    const thrown = await sb.invoke(deno("export default () => { throw new Error('boom') }"), {}, ctx());
    assert(thrown.error!.stack!.length > 0, "a thrown error carries its stack");
    assertEquals(okValue(await sb.invoke(echoDeno, { x: 1 }, ctx())).y, 2);
    assertEquals(okValue(await sb.invoke(echoPython, { x: 1 }, ctx())).y, 2);
  });
});

Deno.test("a bundle of files runs its entry module with relative imports (both runtimes)", async () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  await withSandbox(async (sb) => {
    const d = deno("", {
      handler: "run",
      source: {
        kind: "files",
        entry: "src/main.ts",
        files: {
          "src/main.ts": enc("import { twice } from './lib.ts';\nexport const run = (e: any) => twice(e.x);"),
          "src/lib.ts": enc("export const twice = (n: number) => n * 2;"),
        },
      },
    });
    assertEquals(okValue(await sb.invoke(d, { x: 21 }, ctx())), 42);
    const p = python("", {
      handler: "handler",
      source: {
        kind: "files",
        entry: "app/main.py",
        files: {
          "app/__init__.py": enc(""),
          "app/main.py": enc("from app.lib import twice\ndef handler(e, c):\n    return twice(e['x'])\n"),
          "app/lib.py": enc("def twice(n):\n    return n * 2\n"),
        },
      },
    });
    assertEquals(okValue(await sb.invoke(p, { x: 4 }, ctx())), 8);
  });
});

Deno.test("calls beyond the pool size wait for a warm worker instead of starting more (both runtimes)", async () => {
  await withSandbox(async (sb) => {
    for (
      const spec of [
        deno(
          "export default async (e: { i: number }) => { await new Promise((r) => setTimeout(r, 50)); return e.i }",
        ),
        python("import time\ndef handler(e, c):\n    time.sleep(0.05)\n    return e['i']\n"),
      ]
    ) {
      const outs = await Promise.all(Array.from({ length: 6 }, (_, i) => sb.invoke(spec, { i }, ctx())));
      assertEquals(outs.map(okValue), [0, 1, 2, 3, 4, 5]);
      assertEquals(outs.filter((o) => o.coldStart).length, 2, "maxPoolSize is 2");
    }
  });
});
