/** Async (Event) invocations against the real server: durable queue, retries, destinations, restarts. */
import { assert, assertEquals } from "../helpers/assert.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

async function waitFor(s: TestServer, name: string, id: string, status: string, ms = 20_000): Promise<Json> {
  const until = Date.now() + ms;
  let last: Json;
  while (Date.now() < until) {
    last = (await s.json<Json>("GET", `/api/v1/functions/${name}/invocations/${id}`)).body;
    if (last?.status === status) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`invocation ${id} did not reach ${status}: ${JSON.stringify(last)}`);
}

Deno.test("async invocations queued before a SIGKILL (throttled or mid-run) complete after restart", async () => {
  const s = await startServer();
  try {
    await s.json("POST", "/api/v1/functions", {
      name: "held",
      runtime: "python",
      code: "def handler(event, context):\n    return {'seen': event['n']}\n",
      reservedConcurrency: 0,
    });
    await s.json("POST", "/api/v1/functions", {
      name: "sleepy",
      runtime: "deno",
      code:
        "export default async (e: { n: number }) => { await new Promise((r) => setTimeout(r, 1500)); return e.n }",
      timeout: 10,
    });
    const held = await s.json<Json>("POST", "/api/v1/functions/held/invoke?type=async", { n: 1 });
    assertEquals(held.status, 202);
    const running = await s.json<Json>("POST", "/api/v1/functions/sleepy/invoke?type=async", { n: 2 });
    assertEquals(running.status, 202);
    await waitFor(s, "sleepy", running.body.requestId, "running");
    assertEquals(
      (await s.json<Json>("GET", `/api/v1/functions/held/invocations/${held.body.requestId}`)).body.status,
      "queued",
    );
    await s.kill();
    await s.restart();
    await s.json("PUT", "/api/v1/functions/held", { reservedConcurrency: null });
    const heldDone = await waitFor(s, "held", held.body.requestId, "succeeded");
    assertEquals(heldDone.result, { seen: 1 });
    const sleepyDone = await waitFor(s, "sleepy", running.body.requestId, "succeeded");
    assertEquals(sleepyDone.result, 2);
  } finally {
    await s.stop();
  }
});

Deno.test("a failing async invocation is retried twice, then its failure goes to the on-failure function", async () => {
  const s = await startServer();
  try {
    await s.json("POST", "/api/v1/functions", {
      name: "recorder",
      runtime: "deno",
      code:
        "export default (record: unknown) => { console.log('RECORD ' + JSON.stringify(record)); return 'recorded' }",
    });
    const created = await s.json<Json>("POST", "/api/v1/functions", {
      name: "flaky",
      runtime: "deno",
      code: "export default () => { throw new Error('always fails') }",
      destinations: { onFailure: "fn:recorder" },
    });
    assertEquals(created.status, 201);
    const q = await s.json<Json>("POST", "/api/v1/functions/flaky/invoke?type=async", { order: 42 });
    const failed = await waitFor(s, "flaky", q.body.requestId, "failed");
    assertEquals(failed.attempts, 3);
    assertEquals(failed.error.errorType, "Error");
    let record: Json;
    const until = Date.now() + 10_000;
    while (!record && Date.now() < until) {
      const logs = await s.json<Json>("GET", "/api/v1/functions/recorder/logs");
      const line = logs.body.items.find((l: Json) => l.message.startsWith("RECORD "));
      if (line) record = JSON.parse(line.message.slice(7));
      else await new Promise((r) => setTimeout(r, 100));
    }
    assert(record, "the on-failure destination ran");
    assertEquals(record.requestContext.condition, "RetriesExhausted");
    assertEquals(record.requestContext.requestId, q.body.requestId);
    assertEquals(record.requestContext.approximateInvokeCount, 3);
    assertEquals(record.requestPayload, { order: 42 });
    assertEquals(record.responsePayload.errorMessage, "always fails");
    const again = await s.api("POST", "/api/v1/functions/flaky/invoke?type=async", { order: 1 }, {
      "idempotency-key": "k1",
    });
    const twice = await s.api("POST", "/api/v1/functions/flaky/invoke?type=async", { order: 1 }, {
      "idempotency-key": "k1",
    });
    assertEquals(
      (await again.json()).requestId,
      (await twice.json()).requestId,
      "same idempotency key, same request",
    );
    const dry = await s.json<Json>("POST", "/api/v1/functions/flaky/invoke?type=dry-run", { order: 1 });
    assertEquals(dry.status, 200);
    assertEquals(dry.body.status, "validated");
    assertEquals(
      (await s.json<Json>("POST", "/api/v1/functions/flaky:9/invoke?type=dry-run", {})).status,
      404,
    );
  } finally {
    await s.stop();
  }
});
