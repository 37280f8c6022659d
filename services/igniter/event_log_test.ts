import { assertEquals, assertStringIncludes } from "../../tests/helpers/assert.ts";
import { FakeClock } from "../../runtime/clock.ts";
import { harness, settle } from "./testing/harness.ts";
import type { StoredEvent } from "./types.ts";

type H = Awaited<ReturnType<typeof harness>>;

const list = async (h: H, query = "", headers: Record<string, string> = {}) => {
  const res = await h.request("GET", `/api/v1/events${query}`, undefined, headers);
  return { status: res.status, body: await res.json() as { items: StoredEvent[]; nextToken?: string } };
};

Deno.test("GET /api/v1/events lists matched and unmatched events newest first, filtered by source/detailType/bus, paged", async () => {
  const clock = new FakeClock("2026-05-01T10:00:00Z");
  const h = await harness({ clock });
  try {
    await h.json("POST", "/api/v1/triggers", {
      name: "orders",
      type: "event",
      target: "wf:orders",
      enabled: true,
      config: { pattern: { source: ["shop"], "detail-type": ["Order"] } },
    });
    const put = await h.json("POST", "/api/v1/events", [
      { source: "shop", "detail-type": "Order", detail: { n: 1 } },
      { source: "shop", "detail-type": "Refund", detail: { n: 2 }, resources: ["r1"] },
      { source: "crm", "detail-type": "Order", detail: { n: 3 }, time: "2026-04-30T08:00:00Z" },
      { source: "shop", "detail-type": "Order", detail: { n: 4 }, eventBus: "audit" },
    ]);
    assertEquals(put.status, 200);
    await settle();

    const all = await list(h);
    assertEquals(all.status, 200);
    assertEquals(all.body.items.map((e) => (e.detail as { n: number }).n), [4, 3, 2, 1]);
    assertEquals(all.body.items.map((e) => e.matchedRules), [0, 0, 0, 1]);
    const [fourth, third, second, first] = all.body.items;
    assertEquals(first.id, put.body.entries[0].eventId);
    assertEquals([first.source, first.detailType, first.eventBus], ["shop", "Order", "default"]);
    assertEquals([first.receivedAt, first.time], ["2026-05-01T10:00:00.000Z", "2026-05-01T10:00:00.000Z"]);
    assertEquals(second.resources, ["r1"]);
    assertEquals(third.time, "2026-04-30T08:00:00.000Z");
    assertEquals(fourth.eventBus, "audit");

    const shop = await list(h, "?source=shop");
    assertEquals(shop.body.items.map((e) => (e.detail as { n: number }).n), [4, 2, 1]);
    const orders = await list(h, "?detailType=Order&source=shop&eventBus=default");
    assertEquals(orders.body.items.map((e) => (e.detail as { n: number }).n), [1]);

    const page1 = await list(h, "?limit=3");
    assertEquals(page1.body.items.length, 3);
    const page2 = await list(h, `?limit=3&nextToken=${page1.body.nextToken}`);
    assertEquals(page2.body.items.map((e) => (e.detail as { n: number }).n), [1]);
    assertEquals(page2.body.nextToken, undefined);

    // Another tenant sees none of them; bad queries are 400s naming the parameter.
    assertEquals((await list(h, "", { "x-aionix-tenant": "other" })).body.items, []);
    const badToken = await list(h, "?nextToken=garbage");
    assertEquals(badToken.status, 400);
    assertStringIncludes(JSON.stringify(badToken.body), "/query/nextToken");
    const badLimit = await list(h, "?limit=0");
    assertEquals(badLimit.status, 400);
    assertStringIncludes(JSON.stringify(badLimit.body), "limit");
  } finally {
    await h.close();
  }
});

Deno.test("system events are logged too, and survive a restart", async () => {
  const h = await harness();
  try {
    h.targets.deps!.events.publish({
      tenant: "default",
      source: "aionix.credvault",
      detailType: "Secret Rotated",
      detail: { name: "db", trn: "trn:credvault:default:credential/db", versionId: "v2" },
    });
    await settle();
    await h.restart();
    const { body } = await list(h, "?source=aionix.credvault");
    assertEquals(body.items.map((e) => [e.detailType, (e.detail as { versionId: string }).versionId]), [[
      "Secret Rotated",
      "v2",
    ]]);
  } finally {
    await h.close();
  }
});

Deno.test("the event log keeps the newest event_retention_count per tenant and drops events older than event_retention_days", async () => {
  const clock = new FakeClock("2026-05-01T10:00:00Z");
  const h = await harness({
    clock,
    config: { igniter: { event_retention_count: 3, event_retention_days: 1 } },
  });
  try {
    for (let i = 1; i <= 5; i++) {
      await h.json("POST", "/api/v1/events", [{ source: "s", "detail-type": "t", detail: { i } }]);
    }
    await h.request("POST", "/api/v1/events", JSON.stringify([{ source: "s", "detail-type": "t" }]), {
      "x-aionix-tenant": "other",
      "content-type": "application/json",
    });
    assertEquals((await list(h)).body.items.length, 5, "pruning is amortised, not per request");
    await clock.advance(3600_000); // the hourly prune
    assertEquals((await list(h)).body.items.map((e) => (e.detail as { i: number }).i), [5, 4, 3]);
    assertEquals((await list(h, "", { "x-aionix-tenant": "other" })).body.items.length, 1);
    await h.json("POST", "/api/v1/events", [{ source: "s", "detail-type": "t", detail: { i: 6 } }]);
    await clock.advance(24 * 3600_000); // the hourly prune then: a day after #3-#5, exactly a day for #6
    assertEquals((await list(h)).body.items.map((e) => (e.detail as { i: number }).i), [6]);
    assertEquals((await list(h, "", { "x-aionix-tenant": "other" })).body.items, []);
  } finally {
    await h.close();
  }
});

Deno.test("event_retention_count 0 keeps no events, while matching still works", async () => {
  const h = await harness({ config: { igniter: { event_retention_count: 0 } } });
  try {
    await h.json("POST", "/api/v1/triggers", {
      name: "r",
      type: "event",
      target: "wf:r",
      enabled: true,
      config: { pattern: { source: ["s"] } },
    });
    const put = await h.json("POST", "/api/v1/events", [{ source: "s", "detail-type": "t" }]);
    assertEquals(put.body.entries[0].matchedRules, 1);
    await settle();
    assertEquals(h.targets.targetCalls().length, 1);
    assertEquals((await list(h)).body.items, []);
  } finally {
    await h.close();
  }
});

Deno.test("more than 1,000 events in a burst are pruned to the retention count without waiting for the timer", async () => {
  const h = await harness({ config: { igniter: { event_retention_count: 50 } } });
  try {
    const entries = Array.from(
      { length: 1000 },
      (_, i) => ({ source: "bulk", "detail-type": "t", detail: { i } }),
    );
    for (let b = 0; b < 2; b++) {
      assertEquals((await h.json("POST", "/api/v1/events", { entries })).status, 200);
    }
    const { body } = await list(h, "?limit=1000");
    assertEquals(body.items.length, 50);
    assertEquals((body.items[0].detail as { i: number }).i, 999);
  } finally {
    await h.close();
  }
});
