import { assertEquals } from "../../tests/helpers/assert.ts";
import { compilePattern } from "./pattern.ts";
import { harness, settle } from "./testing/harness.ts";

/** Rules in every index bucket: exact source, exact detail-type, and neither (generic). */
const RULES: Record<string, Record<string, unknown>> = {
  "by-source": { source: ["shop", "billing"] },
  "by-source-and-type": { source: ["shop"], "detail-type": ["Order"] },
  "by-type": { "detail-type": ["Refund", "Order"] },
  "by-type-detail": { "detail-type": ["Order"], detail: { total: [{ numeric: [">", 100] }] } },
  "source-prefix": { source: [{ prefix: "sh" }] },
  "type-ignore-case": { "detail-type": [{ "equals-ignore-case": "refund" }] },
  "or-generic": { $or: [{ source: ["billing"] }, { detail: { country: ["DE"] } }] },
  "detail-only": { detail: { country: [{ "anything-but": "US" }] } },
};

const EVENTS = [
  { source: "shop", "detail-type": "Order", detail: { total: 250, country: "DE" } },
  { source: "shop", "detail-type": "Order", detail: { total: 5, country: "US" } },
  { source: "billing", "detail-type": "Refund", detail: {} },
  { source: "billing", "detail-type": "REFUND", detail: { country: "US" } },
  { source: "other", "detail-type": "Order", detail: { total: 101 } },
  { source: "shipping", "detail-type": "Sent", detail: { country: "FR" } },
  { source: "nobody", "detail-type": "Nothing", detail: { country: "US" } },
];

Deno.test("indexed rule lookup (by source, by detail-type, generic) fires exactly the rules a full scan matches", async () => {
  const h = await harness();
  try {
    for (const [name, pattern] of Object.entries(RULES)) {
      const res = await h.json("POST", "/api/v1/triggers", {
        name,
        type: "event",
        target: `wf:${name}`,
        enabled: true,
        config: { pattern },
      });
      assertEquals(res.status, 201, JSON.stringify(res.body));
    }
    const put = await h.json("POST", "/api/v1/events", { entries: EVENTS });
    assertEquals(put.status, 200);
    await settle();
    const calls = h.targets.targetCalls();
    EVENTS.forEach((e, i) => {
      const expected = Object.entries(RULES)
        .filter(([, p]) => compilePattern(p)(e))
        .map(([name]) => name)
        .sort();
      const fired = calls.filter((c) => (c.input as { id: string }).id === put.body.entries[i].eventId)
        .map((c) => c.path).sort();
      assertEquals(fired, expected, `event ${i}: ${JSON.stringify(e)}`);
      assertEquals(put.body.entries[i].matchedRules, expected.length);
    });
    // Updating a rule moves it between buckets: the old key no longer fires it.
    await h.json("PATCH", "/api/v1/triggers/by-source", { config: { pattern: { "detail-type": ["Sent"] } } });
    const again = await h.json("POST", "/api/v1/events", [{ source: "shop", "detail-type": "Sent" }]);
    await settle();
    assertEquals(again.body.entries[0].matchedRules, 1 + 1); // by-source (now by type) and source-prefix
  } finally {
    await h.close();
  }
});
