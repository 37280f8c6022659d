import { assert, assertEquals, assertStringIncludes } from "../../tests/helpers/assert.ts";
import { FakeClock } from "../../runtime/clock.ts";
import { harness, settle } from "./testing/harness.ts";
import type { Firing } from "./types.ts";

type H = Awaited<ReturnType<typeof harness>>;

async function rule(h: H, name: string, pattern: unknown, extra: Record<string, unknown> = {}) {
  const res = await h.json("POST", "/api/v1/triggers", {
    name,
    type: "event",
    target: `wf:${name}`,
    enabled: true,
    config: { pattern },
    ...extra,
  });
  assertEquals(res.status, 201, JSON.stringify(res.body));
}

const history = async (h: H, name: string): Promise<Firing[]> =>
  (await h.json("GET", `/api/v1/triggers/${name}/history`)).body.items;

Deno.test("an event fans out to every matching rule, with the input transform applied", async () => {
  const h = await harness();
  try {
    await rule(h, "all-orders", { source: ["shop"] });
    await rule(h, "big-orders", { source: ["shop"], detail: { total: [{ numeric: [">", 100] }] } }, {
      inputTransform: { orderId: "{% detail.id %}", when: "{% time %}" },
    });
    await rule(h, "refunds", { "detail-type": ["Refund"] });
    await rule(h, "any-eu", { detail: { country: [{ "anything-but": ["US"] }] } });
    const put = await h.json("POST", "/api/v1/events", {
      entries: [
        {
          source: "shop",
          "detail-type": "Order",
          detail: { id: "o1", total: 250, country: "DE" },
          time: "2026-05-01T10:00:00Z",
        },
        { source: "shop", detailType: "Order", detail: { id: "o2", total: 5, country: "US" } },
        { source: "billing", "detail-type": "Refund", detail: { id: "r1" } },
      ],
    });
    assertEquals(put.status, 200);
    assertEquals(put.body.failedEntryCount, 0);
    assertEquals(put.body.entries.map((e: { matchedRules: number }) => e.matchedRules), [3, 1, 1]);
    await settle();
    const calls = h.targets.targetCalls();
    assertEquals(calls.map((c) => c.path).sort(), [
      "all-orders",
      "all-orders",
      "any-eu",
      "big-orders",
      "refunds",
    ]);
    assertEquals(calls.find((c) => c.path === "big-orders")!.input, {
      orderId: "o1",
      when: "2026-05-01T10:00:00.000Z",
    });
    const envelope = calls.find((c) => c.path === "refunds")!.input as Record<string, unknown>;
    assertEquals([envelope.source, envelope["detail-type"], envelope.account, envelope.version], [
      "billing",
      "Refund",
      "default",
      "0",
    ]);
    const fired = await history(h, "all-orders");
    assertEquals(fired.map((f) => [f.status, f.source]), [["dispatched", "event"], ["dispatched", "event"]]);
    assertEquals(fired[1].eventId, put.body.entries[0].eventId);
  } finally {
    await h.close();
  }
});

Deno.test("a bare array of envelopes is accepted; a re-sent event id is not matched twice", async () => {
  const h = await harness();
  try {
    await rule(h, "r", { source: ["a"] });
    const first = await h.json("POST", "/api/v1/events", [{ source: "a", "detail-type": "x", id: "evt-1" }]);
    assertEquals(first.body.entries, [{ eventId: "evt-1", matchedRules: 1 }]);
    const again = await h.json("POST", "/api/v1/events", [{ source: "a", "detail-type": "x", id: "evt-1" }]);
    assertEquals(again.body.entries, [{ eventId: "evt-1", matchedRules: 0 }]);
    await settle();
    assertEquals(h.targets.targetCalls().length, 1);
  } finally {
    await h.close();
  }
});

Deno.test("bad events and bad patterns are 400s naming the field", async () => {
  const h = await harness();
  try {
    const noSource = await h.json("POST", "/api/v1/events", { entries: [{ "detail-type": "x" }] });
    assertEquals(noSource.status, 400);
    assertEquals(noSource.body.errors[0].path, "/entries/0/source");
    const extra = await h.json("POST", "/api/v1/events", { entries: [{ source: "a", colour: "red" }] });
    assertEquals(extra.body.errors[0].path, "/entries/0/colour");
    const empty = await h.json("POST", "/api/v1/events", { entries: [] });
    assertEquals(empty.status, 400);
    const bad = await h.json("POST", "/api/v1/events/test-pattern", {
      pattern: { detail: { n: [{ numeric: ["~", 1] }] } },
      event: {},
    });
    assertEquals(bad.status, 400);
    assertEquals(bad.body.errors[0].path, "/pattern/detail/n/0/numeric/0");
  } finally {
    await h.close();
  }
});

Deno.test("POST /api/v1/events/test-pattern answers whether a pattern matches", async () => {
  const h = await harness();
  try {
    const event = { source: "shop", detail: { ip: "10.1.2.3", file: "a.png" } };
    const yes = await h.json("POST", "/api/v1/events/test-pattern", {
      pattern: { detail: { ip: [{ cidr: "10.1.0.0/16" }], file: [{ wildcard: "*.png" }] } },
      event,
    });
    assertEquals(yes.body, { result: true });
    const no = await h.json("POST", "/api/v1/events/test-pattern", {
      pattern: { source: [{ prefix: "x" }] },
      event,
    });
    assertEquals(no.body, { result: false });
  } finally {
    await h.close();
  }
});

Deno.test("a failing target is retried with backoff, then sent to the dead-letter workflow", async () => {
  const clock = new FakeClock("2026-05-01T10:00:00Z");
  const h = await harness({ clock, random: () => 1 });
  try {
    await rule(h, "flaky", { source: ["a"] }, {
      retryPolicy: { maxAttempts: 3, intervalSeconds: 10, backoffRate: 2 },
      deadLetter: { target: "wf:dlq" },
    });
    h.targets.failures.set("flaky", 10);
    await h.json("POST", "/api/v1/events", [{ source: "a", "detail-type": "x", detail: { n: 1 } }]);
    await settle();
    let [f] = await history(h, "flaky");
    assertEquals([f.status, f.attempts, f.nextAttemptAt], ["retrying", 1, "2026-05-01T10:00:10.000Z"]);
    assertStringIncludes(f.error!, "failing on purpose");
    await clock.advance(9_000);
    await settle();
    assertEquals(h.targets.targetCalls().length, 1);
    await clock.advance(1_000);
    await settle();
    [f] = await history(h, "flaky");
    assertEquals([f.status, f.attempts, f.nextAttemptAt], ["retrying", 2, "2026-05-01T10:00:30.000Z"]);
    await clock.advance(20_000);
    await settle();
    const items = await history(h, "flaky");
    const original = items.find((x) => x.source === "event")!;
    assertEquals([original.status, original.attempts], ["dead_lettered", 3]);
    const dlq = items.find((x) => x.source === "dead-letter")!;
    assertEquals([dlq.status, dlq.target], ["dispatched", "wf:dlq"]);
    const dlqCall = h.targets.targetCalls().find((c) => c.path === "dlq")!;
    const detail = dlqCall.input as Record<string, unknown>;
    assertEquals([detail.trigger, detail.firingId, detail.attempts], ["flaky", original.id, 3]);
    assert(String(detail.error).includes("failing on purpose"));
    const metrics = await (await h.request("GET", "/metrics")).text();
    assertStringIncludes(metrics, "aionix_igniter_dead_letters_total 1");
    assertStringIncludes(metrics, "aionix_igniter_delivery_failures_total 3");
  } finally {
    await h.close();
  }
});

Deno.test("dead-letter to an event bus: a rule on 'Trigger Delivery Failed' receives it; no loop when it fails too", async () => {
  const clock = new FakeClock("2026-05-01T10:00:00Z");
  const h = await harness({ clock, random: () => 1 });
  try {
    await rule(h, "doomed", { source: ["a"] }, {
      retryPolicy: { maxAttempts: 1 },
      deadLetter: { eventBus: "default" },
    });
    await rule(h, "on-failure", { source: ["aionix.igniter"], "detail-type": ["Trigger Delivery Failed"] }, {
      retryPolicy: { maxAttempts: 1 },
      deadLetter: { eventBus: "default" },
    });
    h.targets.failures.set("doomed", 1);
    await h.json("POST", "/api/v1/events", [{ source: "a", "detail-type": "x" }]);
    await settle();
    const [got] = await history(h, "on-failure");
    assertEquals(got.status, "dispatched");
    const call = h.targets.targetCalls().find((c) => c.path === "on-failure")!;
    assertEquals((call.input as { detail: { trigger: string } }).detail.trigger, "doomed");
    // Now the handler fails as well: it is marked dead-lettered but not re-published (no loop).
    h.targets.failures.set("doomed", 1);
    h.targets.failures.set("on-failure", 1);
    await h.json("POST", "/api/v1/events", [{ source: "a", "detail-type": "x" }]);
    await settle(10);
    const handled = await history(h, "on-failure");
    assertEquals(handled.length, 2);
  } finally {
    await h.close();
  }
});

Deno.test("system events (execution failed, function failed, secret rotated) reach event rules", async () => {
  const h = await harness();
  try {
    await rule(h, "on-exec-failed", { source: ["aionix.stepflow"], "detail-type": ["Execution Failed"] });
    await rule(h, "on-fn-failed", { source: ["aionix.aionixfn"], "detail-type": ["Function Failed"] });
    await rule(h, "on-rotate", { source: ["aionix.credvault"], detail: { name: [{ prefix: "db-" }] } });
    h.server.deps.events.publish({
      tenant: "default",
      source: "aionix.stepflow",
      detailType: "Execution Failed",
      detail: { executionId: "e9", template: "x", status: "failed", error: "Boom" },
    });
    h.server.deps.events.publish({
      tenant: "default",
      source: "aionix.aionixfn",
      detailType: "Function Failed",
      detail: { function: "charge", version: "3", requestId: "r1", errorType: "Boom", errorMessage: "x" },
    });
    h.server.deps.events.publish({
      tenant: "default",
      source: "aionix.credvault",
      detailType: "Secret Rotated",
      detail: { name: "db-password", versionId: "v2" },
    });
    h.server.deps.events.publish({
      tenant: "other",
      source: "aionix.credvault",
      detailType: "Secret Rotated",
      detail: { name: "db-password" },
    });
    await settle();
    assertEquals(h.targets.targetCalls().map((c) => c.path).sort(), [
      "on-exec-failed",
      "on-fn-failed",
      "on-rotate",
    ]);
  } finally {
    await h.close();
  }
});
