import { assert, assertEquals, assertStringIncludes } from "../../tests/helpers/assert.ts";
import { FakeClock } from "../../runtime/clock.ts";
import { harness } from "./testing/harness.ts";

Deno.test("POST /api/v1/triggers creates a disabled schedule trigger; enable needs a target", async () => {
  const h = await harness({ clock: new FakeClock("2026-05-01T10:00:00Z") });
  try {
    const created = await h.json("POST", "/api/v1/triggers", {
      name: "daily-sync",
      type: "schedule",
      config: { cron: "0 0 * * *" },
    });
    assertEquals(created.status, 201);
    assertEquals(created.body.enabled, false);
    assertEquals(created.body.trn, "trn:igniter:default:trigger/daily-sync");
    assertEquals(created.body.nextFireAt, null);
    const enable = await h.json("POST", "/api/v1/triggers/daily-sync/enable");
    assertEquals(enable.status, 409);
    assertStringIncludes(enable.body.detail, "no target");
    const upd = await h.json("PATCH", "/api/v1/triggers/daily-sync", { target: "wf:sync" });
    assertEquals(upd.status, 200);
    const enabled = await h.json(
      "POST",
      `/api/v1/triggers/${encodeURIComponent("trn:igniter:default:trigger/daily-sync")}/enable`,
    );
    assertEquals(enabled.status, 200);
    assertEquals(enabled.body.enabled, true);
    assertEquals(enabled.body.nextFireAt, "2026-05-02T00:00:00.000Z");
    const list = await h.json("GET", "/api/v1/triggers?type=schedule");
    assertEquals(list.body.items.map((t: { name: string }) => t.name), ["daily-sync"]);
    const disabled = await h.json("POST", "/api/v1/triggers/daily-sync/disable");
    assertEquals(disabled.body.enabled, false);
    const del = await h.json("DELETE", "/api/v1/triggers/daily-sync");
    assertEquals(del.status, 200);
    assertEquals((await h.json("GET", "/api/v1/triggers/daily-sync")).status, 404);
  } finally {
    await h.close();
  }
});

Deno.test("bad trigger input is a 400 naming the field and the fix", async () => {
  const h = await harness();
  try {
    const cases: Array<[unknown, string, string]> = [
      [{ name: "a", type: "schedule", config: { cron: "61 * * * *" } }, "/config/cron", "minute"],
      [
        { name: "a", type: "schedule", config: { cron: "* * * * *", timezone: "Mars/Base" } },
        "/config/timezone",
        "IANA",
      ],
      [{ name: "a", type: "schedule", config: {} }, "/config", "cron"],
      [{ name: "a", type: "schedule", config: { rate: "rate(0 minutes)" } }, "/config/rate", "N ≥ 1"],
      [{ name: "a", type: "schedule", config: { at: "at(next tuesday)" } }, "/config/at", "ISO 8601"],
      [
        { name: "a", type: "schedule", config: { cron: "* * * * *", colour: 1 } },
        "/config/colour",
        "unknown field",
      ],
      [{ name: "a", type: "event", config: { pattern: { source: "x" } } }, "/config/pattern/source", "array"],
      [{ name: "a", type: "webhook", config: {} }, "/config", "signature"],
      [
        { name: "a", type: "event", target: "http", config: { pattern: { source: ["x"] } } },
        "/target",
        "wf:NAME",
      ],
      [
        { name: "a", type: "event", target: "wf:missing-flow", config: { pattern: { source: ["x"] } } },
        "/target",
        "exist",
      ],
      [
        {
          name: "a",
          type: "event",
          target: "wf:x",
          inputTransform: { a: "{% (1 + %}" },
          config: { pattern: { a: [1] } },
        },
        "/inputTransform/a",
        "JSONata",
      ],
      [{ name: "bad name!", type: "event", config: {} }, "/name", "letters"],
      [
        { name: "a", type: "event", config: { pattern: { a: [1] } }, deadLetter: { target: "fn:x" } },
        "/deadLetter/target",
        "workflow",
      ],
    ];
    for (const [body, path, hint] of cases) {
      const res = await h.json("POST", "/api/v1/triggers", body);
      assertEquals(res.status, 400, JSON.stringify(body));
      const issue = res.body.errors?.find((e: { path: string }) => e.path === path);
      assert(issue, `${JSON.stringify(body)} → ${JSON.stringify(res.body.errors)}`);
      assertStringIncludes(issue.message, hint);
    }
    const dup = await h.json("POST", "/api/v1/triggers", {
      name: "x",
      type: "event",
      config: { pattern: { a: [1] } },
    });
    assertEquals(dup.status, 201);
    assertEquals(
      (await h.json("POST", "/api/v1/triggers", {
        name: "x",
        type: "event",
        config: { pattern: { a: [1] } },
      })).status,
      409,
    );
  } finally {
    await h.close();
  }
});

Deno.test("preview lists the next fire times in the schedule's time zone, with start/end bounds", async () => {
  const h = await harness({ clock: new FakeClock("2026-05-01T10:00:00Z") });
  try {
    const res = await h.json("POST", "/api/v1/triggers/preview", {
      config: { cron: "0 9 * * 1-5", timezone: "Europe/Berlin", endAt: "2026-05-06T00:00:00" },
      count: 5,
    });
    assertEquals(res.status, 200);
    assertEquals(res.body.fireTimes, ["2026-05-04T07:00:00.000Z", "2026-05-05T07:00:00.000Z"]);
    const rate = await h.json("POST", "/api/v1/triggers/preview", {
      config: { rate: "rate(5 minutes)" },
      count: 2,
    });
    assertEquals(rate.body.fireTimes, ["2026-05-01T10:05:00.000Z", "2026-05-01T10:10:00.000Z"]);
    const at = await h.json("POST", "/api/v1/triggers/preview", {
      config: { expression: "at(2026-12-01T09:00:00)", timezone: "America/New_York" },
      count: 3,
    });
    assertEquals(at.body.fireTimes, ["2026-12-01T14:00:00.000Z"]);
    const six = await h.json("POST", "/api/v1/triggers/preview", {
      config: { cron: "*/20 * * * * *" },
      count: 2,
    });
    assertEquals(six.body.fireTimes, ["2026-05-01T10:00:20.000Z", "2026-05-01T10:00:40.000Z"]);
    await h.json("POST", "/api/v1/triggers", {
      name: "weekday",
      type: "schedule",
      target: "wf:report",
      enabled: true,
      config: { cron: "0 9 * * 1-5", timezone: "Europe/Berlin", startAt: "2026-05-06T00:00:00" },
    });
    const stored = await h.json("GET", "/api/v1/triggers/weekday/preview?count=2");
    assertEquals(stored.body.fireTimes, ["2026-05-06T07:00:00.000Z", "2026-05-07T07:00:00.000Z"]);
    assertEquals(stored.body.timezone, "Europe/Berlin");
  } finally {
    await h.close();
  }
});
