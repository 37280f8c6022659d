import assert from "node:assert/strict";
import http, { RequestInput } from "./http.ts";
import { opts, testConnection } from "./shared/testing.ts";
import { startStub } from "../../../tests/helpers/openact_stubs.ts";
import { blockedReason, checkDestination } from "../net/ssrf.ts";
import { BlockedDestinationError } from "../errors.ts";
import { HttpStatusError } from "../net/common.ts";

const conn = (settings: Record<string, unknown>, credential?: unknown) =>
  testConnection("http", http.settingsSchema.parse(settings) as Record<string, unknown>, { credential });
const run = (c: ReturnType<typeof conn>, input: unknown, op = "request", timeoutMs = 5000) =>
  http.execute(c, op, http.operations[op].input.parse(input), opts(timeoutMs)) as Promise<
    { status: number; body: unknown; headers: Record<string, string> }
  >;

Deno.test("blockedReason classifies loopback, private, link-local and mapped addresses", () => {
  assert.equal(blockedReason("127.0.0.1"), "loopback");
  assert.equal(blockedReason("10.1.2.3"), "private");
  assert.equal(blockedReason("172.20.0.1"), "private");
  assert.equal(blockedReason("192.168.1.1"), "private");
  assert.equal(blockedReason("169.254.169.254"), "link-local");
  assert.equal(blockedReason("100.64.0.1"), "carrier-grade NAT");
  assert.equal(blockedReason("0.0.0.0"), "unspecified");
  assert.equal(blockedReason("::1"), "loopback");
  assert.equal(blockedReason("fe80::1"), "link-local");
  assert.equal(blockedReason("fd00::1"), "unique local (private)");
  assert.equal(blockedReason("::ffff:127.0.0.1"), "loopback");
  assert.equal(blockedReason("::ffff:7f00:1"), "loopback");
  assert.equal(blockedReason("8.8.8.8"), undefined);
  assert.equal(blockedReason("172.32.0.1"), undefined);
  assert.equal(blockedReason("2606:4700::1111"), undefined);
});

Deno.test("checkDestination resolves names and refuses any private answer", async () => {
  const resolve = (addrs: string[]) => () => Promise.resolve(addrs);
  await checkDestination(new URL("https://api.example.com/x"), { resolve: resolve(["93.184.216.34"]) });
  await assert.rejects(
    checkDestination(new URL("https://rebind.example.com/"), {
      resolve: resolve(["93.184.216.34", "10.0.0.5"]),
    }),
    (err: Error) => err instanceof BlockedDestinationError && /10\.0\.0\.5.*private/.test(err.message),
  );
  await assert.rejects(checkDestination(new URL("http://localhost:1/")), BlockedDestinationError);
  await assert.rejects(checkDestination(new URL("file:///etc/passwd")), /only http and https/);
  await checkDestination(new URL("http://127.0.0.1:1/"), { allowPrivateNetwork: true });
});

Deno.test("http sends method, headers, query, JSON/form/raw bodies and auth", async () => {
  const stub = await startStub((_req, rec) => Response.json(rec));
  try {
    const c = conn({
      baseUrl: stub.url + "/v1",
      allowPrivateNetwork: true,
      headers: { "x-team": "core" },
      query: { v: "2" },
      auth: { type: "apiKey", in: "query", name: "key" },
    }, "k-secret");
    let r = await run(c, { method: "PUT", path: "/items/7", query: { tag: ["a", "b"] }, json: { x: 1 } });
    const rec = r.body as {
      method: string;
      path: string;
      query: Record<string, string>;
      headers: Record<string, string>;
      body: string;
    };
    assert.equal(rec.method, "PUT");
    assert.equal(rec.path, "/v1/items/7");
    assert.equal(rec.query.v, "2");
    assert.equal(rec.query.key, "k-secret");
    assert.equal(stub.requests.at(-1)!.query.tag, "b");
    assert.equal(rec.headers["x-team"], "core");
    assert.equal(rec.headers["content-type"], "application/json");
    assert.equal(rec.body, '{"x":1}');
    r = await run(c, { method: "POST", path: "/f", form: { a: "1", b: "two words" } });
    assert.equal((r.body as { body: string }).body, "a=1&b=two+words");
    r = await run(c, { method: "POST", path: "/raw", body: "<x/>", contentType: "application/xml" });
    assert.equal((r.body as { headers: Record<string, string> }).headers["content-type"], "application/xml");
    const basic = conn({
      baseUrl: stub.url,
      allowPrivateNetwork: true,
      auth: { type: "basic", username: "ada" },
    }, "pw");
    r = await run(basic, { path: "/b" });
    assert.equal(
      (r.body as { headers: Record<string, string> }).headers.authorization,
      `Basic ${btoa("ada:pw")}`,
    );
    await assert.rejects(
      run(conn({ baseUrl: stub.url, allowPrivateNetwork: true, auth: { type: "bearer" } }), { path: "/" }),
      /needs a token/,
    );
  } finally {
    await stub.close();
  }
});

Deno.test("http retries 503 with backoff, then fails with the upstream status", async () => {
  let calls = 0;
  const stub = await startStub(() => {
    calls++;
    return calls < 3 ? new Response("busy", { status: 503 }) : Response.json({ ok: true });
  });
  try {
    const c = conn({ baseUrl: stub.url, allowPrivateNetwork: true, retries: { attempts: 2, backoffMs: 5 } });
    const r = await run(c, { path: "/" });
    assert.equal(r.status, 200);
    assert.equal(calls, 3);
    calls = -10;
    await assert.rejects(
      run(c, { path: "/" }),
      (err: Error) => err instanceof HttpStatusError && err.statusCode === 503,
    );
    const noThrow = await run(c, { path: "/", throwOnError: false, retries: 0 });
    assert.equal(noThrow.status, 503);
  } finally {
    await stub.close();
  }
});

Deno.test("http follows at most 5 redirects and re-checks each hop with the SSRF guard", async () => {
  const stub = await startStub((_req, rec) => {
    const n = Number(rec.path.slice(1)) || 0;
    if (rec.path === "/to-private") return Response.redirect("http://10.255.255.1/secret", 302);
    if (n < 10) return new Response(null, { status: 302, headers: { location: `/${n + 1}` } });
    return Response.json({ at: n });
  });
  try {
    const c = conn({ baseUrl: stub.url, allowPrivateNetwork: true });
    const ok = await run(c, { path: "/6" });
    assert.deepEqual(ok.body, { at: 10 });
    await assert.rejects(run(c, { path: "/1" }), /too many redirects/);
    // A guarded connection to a (pretend) public host cannot be bounced to a private address.
    const { guardedFetch } = await import("../net/ssrf.ts");
    await assert.rejects(
      guardedFetch(`${stub.url}/to-private`, {}, {
        resolve: () => Promise.resolve(["127.0.0.1"]),
        allowPrivateNetwork: false,
      }),
      BlockedDestinationError,
    );
  } finally {
    await stub.close();
  }
});

Deno.test("http aborts on timeout and on the caller's signal", async () => {
  const stub = await startStub((req) =>
    new Promise((resolve) => {
      const t = setTimeout(() => resolve(new Response("late")), 3000);
      req.signal.addEventListener("abort", () => {
        clearTimeout(t);
        resolve(new Response("aborted"));
      });
    })
  );
  try {
    const c = conn({ baseUrl: stub.url, allowPrivateNetwork: true });
    const started = Date.now();
    await assert.rejects(run(c, { path: "/" }, "request", 100), /no answer within 100 ms/);
    assert.ok(Date.now() - started < 2000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("stop now")), 50);
    await assert.rejects(
      http.execute(c, "get", RequestInput.parse({ path: "/" }), {
        signal: controller.signal,
        timeoutMs: 5000,
      }),
      /stop now/,
    );
  } finally {
    await http.close();
    await stub.close();
  }
});

Deno.test("guarded fetches connect to the address that was checked, not a second DNS answer", async () => {
  const stub = await startStub((req) => Response.json({ host: req.headers.get("host") }));
  try {
    const { pinnedClient } = await import("../net/ssrf.ts");
    const port = new URL(stub.url).port;
    const url = new URL(`http://rebind.invalid:${port}/x`);
    // The name does not resolve at all: only the pinned transport can reach the checked address.
    const res = await fetch(url, { client: pinnedClient("127.0.0.1", url) });
    assert.deepEqual(await res.json(), { host: `rebind.invalid:${port}` });
    assert.equal(
      pinnedClient("127.0.0.1", url),
      pinnedClient("127.0.0.1", url),
      "clients are reused per address",
    );
  } finally {
    await stub.close();
  }
});
