import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { type Clock, FakeClock, type TimerId } from "../../runtime/clock.ts";
import { harness, settle } from "./testing/harness.ts";
import type { Firing } from "./types.ts";

/** A FakeClock whose wall time can jump without timers noticing (as after an NTP correction). */
class JumpClock implements Clock {
  offset = 0;
  constructor(readonly inner: FakeClock) {}
  now() {
    return this.inner.now() + this.offset;
  }
  setTimeout(fn: () => void, ms: number): TimerId {
    return this.inner.setTimeout(fn, ms);
  }
  clearTimeout(id: TimerId) {
    this.inner.clearTimeout(id);
  }
  sleep(ms: number, signal?: AbortSignal) {
    return this.inner.sleep(ms, signal);
  }
  async advance(ms: number) {
    await this.inner.advance(ms);
    await settle();
  }
}

const HOUR = 3600_000;
type H = Awaited<ReturnType<typeof harness>>;

async function schedule(h: H, name: string, config: Record<string, unknown>, target = "wf:job") {
  const res = await h.json("POST", "/api/v1/triggers", {
    name,
    type: "schedule",
    target,
    enabled: true,
    config,
  });
  assertEquals(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

const fired = (h: H) =>
  h.targets.targetCalls().map((c) => (c.input as { scheduledTime: string }).scheduledTime);

async function history(h: H, name: string): Promise<Firing[]> {
  return (await h.json("GET", `/api/v1/triggers/${name}/history?limit=100`)).body.items;
}

Deno.test("a daily cron fires once per day and each firing is in the history with its execution id", async () => {
  const clock = new FakeClock("2026-05-01T23:59:00Z");
  const h = await harness({ clock });
  try {
    await schedule(h, "daily-sync", { cron: "0 0 * * *" });
    await clock.advance(2 * 60_000);
    await settle();
    assertEquals(fired(h), ["2026-05-02T00:00:00.000Z"]);
    const call = h.targets.targetCalls()[0];
    assertEquals([call.service, call.path, call.operation, call.mode], ["stepflow", "job", "start", "async"]);
    await clock.advance(24 * HOUR);
    await settle();
    assertEquals(fired(h), ["2026-05-02T00:00:00.000Z", "2026-05-03T00:00:00.000Z"]);
    const items = await history(h, "daily-sync");
    assertEquals(items.map((f) => f.status), ["dispatched", "dispatched"]);
    assertEquals(items.map((f) => f.executionId), ["exec-2", "exec-1"]);
    assertEquals(items[1].scheduledAt, "2026-05-02T00:00:00.000Z");
    assertEquals(call.idempotencyKey, items[1].id);
  } finally {
    await h.close();
  }
});

Deno.test("DST spring forward: a 02:30 New York job runs once, at 03:00 EDT, on the day 02:30 does not exist", async () => {
  const clock = new FakeClock("2026-03-07T12:00:00Z");
  const h = await harness({ clock });
  try {
    await schedule(h, "nightly", { cron: "30 2 * * *", timezone: "America/New_York" });
    await clock.set("2026-03-10T00:00:00Z");
    await settle();
    assertEquals(fired(h), ["2026-03-08T07:00:00.000Z", "2026-03-09T06:30:00.000Z"]);
  } finally {
    await h.close();
  }
});

Deno.test("DST fall back: a 01:30 New York job runs once on the day 01:30 happens twice", async () => {
  const clock = new FakeClock("2026-10-31T12:00:00Z");
  const h = await harness({ clock });
  try {
    await schedule(h, "nightly", { cron: "30 1 * * *", timezone: "America/New_York" });
    await clock.set("2026-11-02T12:00:00Z");
    await settle();
    assertEquals(fired(h), ["2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z"]);
  } finally {
    await h.close();
  }
});

Deno.test("clock jumps forward 5 h: missed hourly fires are skipped (no storm) and recorded once", async () => {
  const clock = new JumpClock(new FakeClock("2026-05-01T10:30:00Z"));
  const h = await harness({ clock });
  try {
    await schedule(h, "hourly", { cron: "0 * * * *" });
    clock.offset += 5 * HOUR;
    await clock.advance(60_000);
    assertEquals(fired(h), []);
    const items = await history(h, "hourly");
    assertEquals(items.length, 1);
    assertEquals(items[0].status, "skipped");
    assertMatch(
      items[0].reason!,
      /^5 missed fire time\(s\) from 2026-05-01T11:00:00.000Z to 2026-05-01T15:00:00.000Z/,
    );
    await clock.advance(HOUR);
    assertEquals(fired(h), ["2026-05-01T16:00:00.000Z"]);
  } finally {
    await h.close();
  }
});

Deno.test("clock jumps forward with catch-up: only fires inside the window, at most catchUpMaxFires", async () => {
  const clock = new JumpClock(new FakeClock("2026-05-01T10:30:00Z"));
  const h = await harness({ clock });
  try {
    await schedule(h, "win", { cron: "0 * * * *", missedFires: "catch-up", catchUpWindowSeconds: 2 * 3600 });
    await schedule(h, "cap", {
      cron: "0 * * * *",
      missedFires: "catch-up",
      catchUpWindowSeconds: 24 * 3600,
      catchUpMaxFires: 3,
    }, "wf:other");
    clock.offset += 5 * HOUR; // now 15:31
    await clock.advance(60_000);
    const byTarget = (p: string) =>
      h.targets.targetCalls().filter((c) => c.path === p).map((c) =>
        (c.input as { scheduledTime: string }).scheduledTime
      )
        .sort();
    assertEquals(byTarget("job"), ["2026-05-01T14:00:00.000Z", "2026-05-01T15:00:00.000Z"]);
    assertEquals(byTarget("other"), [
      "2026-05-01T13:00:00.000Z",
      "2026-05-01T14:00:00.000Z",
      "2026-05-01T15:00:00.000Z",
    ]);
    const skipped = (await history(h, "cap")).filter((f) => f.status === "skipped");
    assertEquals(skipped.length, 1);
    assertMatch(skipped[0].reason!, /^2 missed/);
  } finally {
    await h.close();
  }
});

Deno.test("clock jumps back 1 h after a fire: the same fire time is not fired again", async () => {
  const clock = new JumpClock(new FakeClock("2026-05-01T10:59:00Z"));
  const h = await harness({ clock });
  try {
    await schedule(h, "hourly", { cron: "0 * * * *" });
    await clock.advance(2 * 60_000);
    assertEquals(fired(h), ["2026-05-01T11:00:00.000Z"]);
    clock.offset -= HOUR; // wall time back to 10:01
    await clock.advance(HOUR); // wall 11:01 again
    assertEquals(fired(h), ["2026-05-01T11:00:00.000Z"]);
    await clock.advance(HOUR); // wall 12:01
    assertEquals(fired(h), ["2026-05-01T11:00:00.000Z", "2026-05-01T12:00:00.000Z"]);
  } finally {
    await h.close();
  }
});

Deno.test("restart: no double fire, downtime fires skipped by default and caught up within bounds", async () => {
  const h = await harness({ clock: new FakeClock("2026-05-01T10:59:30Z") });
  try {
    await schedule(h, "skipper", { cron: "*/10 * * * *" });
    await schedule(h, "catcher", {
      cron: "*/10 * * * *",
      missedFires: "catch-up",
      catchUpWindowSeconds: 1800,
    }, "wf:c");
    await (h.server.deps.clock as FakeClock).advance(60_000);
    await settle();
    assertEquals(h.targets.targetCalls().length, 2);
    // Restart at the same instant: the 11:00 fires were settled with the cursor; nothing repeats.
    await h.restart(new FakeClock("2026-05-01T11:00:40Z"));
    await settle();
    assertEquals(h.targets.targetCalls().length, 0);
    // Down for an hour: 12:00 is "now"; catch-up fires 11:40/11:50/12:00 (30-min window), skip fires only 12:00.
    await h.restart(new FakeClock("2026-05-01T12:00:05Z"));
    await settle();
    const got = (p: string) =>
      h.targets.targetCalls().filter((c) => c.path === p).map((c) =>
        (c.input as { scheduledTime: string }).scheduledTime
      )
        .sort();
    assertEquals(got("job"), ["2026-05-01T12:00:00.000Z"]);
    assertEquals(got("c"), [
      "2026-05-01T11:40:00.000Z",
      "2026-05-01T11:50:00.000Z",
      "2026-05-01T12:00:00.000Z",
    ]);
    const skipped = (await history(h, "skipper")).find((f) => f.status === "skipped");
    assertMatch(
      skipped!.reason!,
      /^5 missed fire time\(s\) from 2026-05-01T11:10:00.000Z to 2026-05-01T11:50/,
    );
  } finally {
    await h.close();
  }
});

Deno.test("overlap skip: a fire is skipped while the previous workflow run is still running", async () => {
  const clock = new FakeClock("2026-05-01T10:00:30Z");
  const h = await harness({ clock });
  try {
    await schedule(h, "busy", { rate: "rate(1 minute)", overlap: "skip" });
    await clock.advance(60_000);
    await settle();
    assertEquals(h.targets.targetCalls().length, 1);
    await clock.advance(60_000);
    await settle();
    assertEquals(h.targets.targetCalls().length, 1);
    let items = await history(h, "busy");
    assertEquals(items[0].status, "skipped");
    assertMatch(items[0].reason!, /overlap/);
    assertEquals(items[1].runStatus, "running");
    h.targets.finish(items[1].executionId!);
    await settle();
    await clock.advance(60_000);
    await settle();
    assertEquals(h.targets.targetCalls().length, 2);
    items = await history(h, "busy");
    assertEquals(items.map((f) => f.status), ["dispatched", "skipped", "dispatched"]);
    assertEquals(items[2].runStatus, "succeeded");
  } finally {
    await h.close();
  }
});

Deno.test("one-time at() fires once; flexible window delays the dispatch by the random share", async () => {
  const clock = new FakeClock("2026-11-30T12:00:00Z");
  const h = await harness({ clock, random: () => 0.5 });
  try {
    await schedule(h, "once", { at: "at(2026-12-01T09:00:00)", timezone: "Europe/Berlin" });
    await schedule(h, "flex", { at: "2026-12-01T08:00:00Z", flexibleWindowMinutes: 10 }, "fn:report:live");
    await clock.set("2026-12-01T08:04:00Z");
    await settle();
    assertEquals(h.targets.targetCalls().length, 1);
    await clock.set("2026-12-01T08:05:00Z");
    await settle();
    const fnCall = h.targets.targetCalls().find((c) => c.service === "aionixfn")!;
    assertEquals([fnCall.path, fnCall.qualifier, fnCall.operation], ["report", "live", "invoke"]);
    await clock.set("2026-12-03T00:00:00Z");
    await settle();
    assertEquals(h.targets.targetCalls().length, 2);
    const once = (await h.json("GET", "/api/v1/triggers/once")).body;
    assertEquals(once.nextFireAt, null);
    assertEquals(once.lastFireAt, "2026-12-01T08:00:00.000Z");
    assert((await history(h, "flex"))[0].dispatchedAt === "2026-12-01T08:05:00.000Z");
  } finally {
    await h.close();
  }
});

Deno.test("overlap skip with a function target calls it synchronously so its end is known", async () => {
  const clock = new FakeClock("2026-05-01T10:00:30Z");
  const h = await harness({ clock });
  try {
    await schedule(h, "fn-job", { rate: "rate(1 minute)", overlap: "skip" }, "fn:cleanup");
    await clock.advance(60_000);
    await settle();
    await clock.advance(60_000);
    await settle();
    const calls = h.targets.targetCalls();
    assertEquals(calls.map((c) => [c.service, c.mode]), [["aionixfn", "sync"], ["aionixfn", "sync"]]);
    const items = await history(h, "fn-job");
    assertEquals(items.map((f) => [f.status, f.runStatus]), [["dispatched", "succeeded"], [
      "dispatched",
      "succeeded",
    ]]);
  } finally {
    await h.close();
  }
});
