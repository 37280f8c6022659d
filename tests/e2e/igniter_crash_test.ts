/**
 * kill -9 between accept and dispatch: every acknowledged event must come back after the
 * restart as exactly one firing per rule, each settled, and no dispatch beyond at-least-once.
 *
 * Target: when StepFlow is running in this build, a real workflow (executions are named by
 * firing id, so a re-dispatch cannot start a second execution). Otherwise the dispatch to
 * `wf:…` fails (no executor) and the firing is retried then settled as "failed": the
 * recording path still proves nothing acknowledged is lost or doubled.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

interface Firing {
  id: string;
  status: string;
  attempts: number;
  eventId?: string;
  executionId?: string;
}

async function allHistory(server: TestServer, name: string): Promise<Firing[]> {
  const out: Firing[] = [];
  let token: string | undefined;
  do {
    const q = new URLSearchParams({ limit: "1000", ...(token ? { nextToken: token } : {}) });
    const res = await server.json<{ items: Firing[]; nextToken?: string }>(
      "GET",
      `/api/v1/triggers/${name}/history?${q}`,
    );
    out.push(...res.body.items);
    token = res.body.nextToken;
  } while (token);
  return out;
}

async function stepflowAvailable(server: TestServer): Promise<boolean> {
  const res = await server.json("POST", "/api/v1/templates", {
    name: "crash-target",
    dsl: { entry: "Done", states: { Done: { type: "succeed" } } },
  });
  return res.status === 201;
}

Deno.test("kill -9 during an event burst loses no acknowledged event and doubles no firing", async () => {
  const server = await startServer({ env: { AIONIX_LOG_LEVEL: "warn" } });
  try {
    const realTarget = await stepflowAvailable(server);
    const rule = await server.json("POST", "/api/v1/triggers", {
      name: "crash-rule",
      type: "event",
      target: "wf:crash-target",
      enabled: true,
      config: { pattern: { source: ["crash.test"] } },
      retryPolicy: { maxAttempts: 2, intervalSeconds: 0.05, backoffRate: 1 },
    });
    assertEquals(rule.status, 201, JSON.stringify(rule.body));

    const acknowledged = new Set<string>();
    let sent = 0;
    const batch = (b: number) =>
      Array.from({ length: 25 }, (_, i) => ({
        source: "crash.test",
        "detail-type": "Burst",
        id: `evt-${b}-${i}`,
        detail: { b, i },
      }));
    const senders = Array.from({ length: 4 }, async (_, w) => {
      for (let b = w; b < 400; b += 4) {
        try {
          sent++;
          const res = await server.api("POST", "/api/v1/events", { entries: batch(b) });
          if (res.status !== 200) break;
          const body = await res.json() as { entries: { eventId: string; matchedRules: number }[] };
          for (const e of body.entries) if (e.matchedRules === 1) acknowledged.add(e.eventId);
        } catch {
          break; // the server is gone
        }
      }
    });
    while (acknowledged.size < 500) await new Promise((r) => setTimeout(r, 5));
    await server.kill();
    await Promise.all(senders);
    assert(
      acknowledged.size >= 500 && sent < 400,
      `the kill must land mid-burst (acked ${acknowledged.size})`,
    );

    await server.restart();
    let firings: Firing[] = [];
    const deadline = Date.now() + 30_000;
    for (;;) {
      firings = await allHistory(server, "crash-rule");
      const open = firings.filter((f) => f.status === "pending" || f.status === "retrying");
      if (!open.length && firings.length >= acknowledged.size) break;
      if (Date.now() > deadline) throw new Error(`${open.length} firings still open after restart`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const byEvent = new Map<string, number>();
    for (const f of firings) byEvent.set(f.eventId!, (byEvent.get(f.eventId!) ?? 0) + 1);
    for (const id of acknowledged) {
      assertEquals(byEvent.get(id), 1, `acknowledged event ${id} must have exactly one firing`);
    }
    for (const [id, n] of byEvent) assertEquals(n, 1, `event ${id} was matched ${n} times`);
    for (const f of firings) {
      assert(f.attempts <= 2, `firing ${f.id} attempted ${f.attempts} times (max 2)`);
      assert(realTarget ? f.status === "dispatched" : f.status === "failed", `${f.id}: ${f.status}`);
    }
    if (realTarget) {
      const executions = new Set(firings.map((f) => f.executionId));
      assertEquals(executions.size, firings.length, "each firing started its own, single execution");
    }
    console.log(
      `crash test: ${acknowledged.size} acknowledged, ${firings.length} firings after restart, target: ${
        realTarget ? "StepFlow workflow" : "no StepFlow executor (recording/failed path)"
      }`,
    );
  } finally {
    await server.stop();
  }
});
