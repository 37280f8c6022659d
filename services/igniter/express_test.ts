import { assertEquals, assertStringIncludes } from "../../tests/helpers/assert.ts";
import { FakeClock } from "../../runtime/clock.ts";
import { harness, settle } from "./testing/harness.ts";

type H = Awaited<ReturnType<typeof harness>>;

const create = (h: H, body: Record<string, unknown>) =>
  h.json("POST", "/api/v1/triggers", {
    type: "event",
    enabled: true,
    config: { pattern: { source: ["a"] } },
    ...body,
  });

Deno.test("targetOptions.kind express is stored, shown, and sent to StepFlow's executor as caller.kind", async () => {
  const h = await harness();
  try {
    const made = await create(h, { name: "fast", target: "wf:fast", targetOptions: { kind: "express" } });
    assertEquals(made.status, 201, JSON.stringify(made.body));
    assertEquals(made.body.targetOptions, { kind: "express" });
    assertEquals((await create(h, { name: "slow", target: "wf:slow" })).body.targetOptions, undefined);
    await h.json("POST", "/api/v1/events", [{ source: "a", "detail-type": "x" }]);
    await settle();
    const calls = h.targets.targetCalls();
    const fast = calls.find((c) => c.path === "fast")!;
    const slow = calls.find((c) => c.path === "slow")!;
    assertEquals([fast.operation, fast.mode, fast.caller?.kind], ["start", "async", "express"]);
    assertEquals(fast.caller?.trigger, "fast");
    assertEquals(slow.caller?.kind, undefined);
    const [firing] = (await h.json("GET", "/api/v1/triggers/fast/history")).body.items;
    assertEquals([firing.status, firing.executionId], ["dispatched", fast.executionId]);

    // Options survive a restart (stored column) and can be cleared with null.
    await h.restart();
    assertEquals((await h.json("GET", "/api/v1/triggers/fast")).body.targetOptions, { kind: "express" });
    const cleared = await h.json("PATCH", "/api/v1/triggers/fast", { targetOptions: null });
    assertEquals(cleared.body.targetOptions, undefined);
    await h.json("POST", "/api/v1/events", [{ source: "a", "detail-type": "y" }]);
    await settle();
    assertEquals(h.targets.targetCalls().find((c) => c.path === "fast")!.caller?.kind, undefined);
  } finally {
    await h.close();
  }
});

Deno.test("express on a function target, or an unknown kind, is a 400 naming targetOptions", async () => {
  const h = await harness();
  try {
    const fn = await create(h, { name: "f", target: "fn:handle", targetOptions: { kind: "express" } });
    assertEquals(fn.status, 400);
    assertEquals(fn.body.errors[0].path, "/targetOptions/kind");
    assertStringIncludes(fn.body.errors[0].message, "workflow targets");
    const odd = await create(h, { name: "g", target: "wf:x", targetOptions: { kind: "turbo" } });
    assertEquals(odd.status, 400);
    assertEquals(odd.body.errors[0].path, "/targetOptions/kind");
    const extra = await create(h, { name: "h", target: "wf:x", targetOptions: { speed: 1 } });
    assertEquals(extra.body.errors[0].path, "/targetOptions/speed");
    // Switching an express trigger's target to a function is refused the same way.
    assertEquals(
      (await create(h, { name: "w", target: "wf:x", targetOptions: { kind: "express" } })).status,
      201,
    );
    const moved = await h.json("PATCH", "/api/v1/triggers/w", { target: "fn:handle" });
    assertEquals(moved.status, 400);
    assertEquals(moved.body.errors[0].path, "/targetOptions/kind");
  } finally {
    await h.close();
  }
});

Deno.test("a sync webhook with an express workflow target starts it express and returns its result; dead-letter workflows stay durable", async () => {
  const clock = new FakeClock("2026-05-01T10:00:00Z");
  const h = await harness({ clock, random: () => 1 });
  try {
    const hook = await h.json("POST", "/api/v1/triggers", {
      name: "hook",
      type: "webhook",
      target: "wf:answer",
      targetOptions: { kind: "express" },
      enabled: true,
      config: { allowUnauthenticated: true, mode: "sync", timeoutSeconds: 5 },
    });
    assertEquals(hook.status, 201, JSON.stringify(hook.body));
    const res = await h.request("POST", "/hooks/default/hook", '{"q": 1}', {
      "content-type": "application/json",
    });
    assertEquals(res.status, 200);
    assertEquals((await res.json()).by, "answer");
    const call = h.targets.targetCalls().find((c) => c.path === "answer")!;
    assertEquals([call.mode, call.caller?.kind], ["sync", "express"]);

    await create(h, {
      name: "doomed",
      target: "wf:doomed",
      targetOptions: { kind: "express" },
      retryPolicy: { maxAttempts: 1 },
      deadLetter: { target: "wf:dlq" },
    });
    h.targets.failures.set("doomed", 1);
    await h.json("POST", "/api/v1/events", [{ source: "a", "detail-type": "x" }]);
    await settle();
    const calls = h.targets.targetCalls();
    assertEquals(calls.find((c) => c.path === "doomed")!.caller?.kind, "express");
    assertEquals(calls.find((c) => c.path === "dlq")!.caller?.kind, undefined);
  } finally {
    await h.close();
  }
});
