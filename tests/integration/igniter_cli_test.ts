import { assert, assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { runCli, startServer, type TestServer } from "../helpers/server.ts";

/** Creates a one-state workflow when StepFlow runs in this build (targets must exist then). */
async function ensureWorkflow(server: TestServer, name: string): Promise<boolean> {
  const res = await server.json("POST", "/api/v1/templates", {
    name,
    dsl: { entry: "Done", states: { Done: { type: "succeed" } } },
  });
  return res.status === 201;
}

Deno.test("aio tr: the spec's create/enable flow, then list, get, update, preview, history, delete", async () => {
  const server = await startServer();
  try {
    const aio = (...args: string[]) => runCli(args, { server });
    await ensureWorkflow(server, "sync");
    const created = await aio(
      "tr",
      "create",
      "daily-sync",
      "--trigger-type",
      "schedule",
      "--config",
      '{"cron": "0 0 * * *"}',
    );
    assertEquals(created.code, 0, created.stderr);
    assertStringIncludes(created.stdout, "created schedule trigger daily-sync (disabled)");

    const noTarget = await aio("tr", "enable", "daily-sync");
    assertEquals(noTarget.code, 6);
    assertStringIncludes(noTarget.stderr, "has no target");

    const updated = await aio(
      "tr",
      "update",
      "daily-sync",
      "--target",
      "wf:sync",
      "--description",
      "nightly sync",
    );
    assertEquals(updated.code, 0, updated.stderr);
    const enabled = await aio("tr", "enable", "daily-sync");
    assertEquals(enabled.code, 0, enabled.stderr);
    assertStringIncludes(enabled.stdout, "daily-sync enabled; next fire");

    const list = await aio("tr", "list");
    assertEquals(list.code, 0, list.stderr);
    assert(/daily-sync\s+schedule\s+yes\s+wf:sync/.test(list.stdout), list.stdout);

    const got = await aio("tr", "get", "daily-sync", "-o", "json");
    const t = JSON.parse(got.stdout);
    assertEquals([t.trn, t.config.cron, t.description], [
      "trn:igniter:default:trigger/daily-sync",
      "0 0 * * *",
      "nightly sync",
    ]);

    const preview = await aio("tr", "preview", "daily-sync", "--count", "3", "-o", "json");
    const times = JSON.parse(preview.stdout).fireTimes as string[];
    assertEquals(times.length, 3);
    assert(times.every((x) => x.endsWith("T00:00:00.000Z")), preview.stdout);
    const adhoc = await aio(
      "tr",
      "preview",
      "--config",
      '{"cron": "0 9 * * 1-5", "timezone": "Europe/Berlin"}',
    );
    assertEquals(adhoc.code, 0, adhoc.stderr);
    assertStringIncludes(adhoc.stdout, "09:00:00 Europe/Berlin");

    const bad = await aio(
      "tr",
      "create",
      "x",
      "--trigger-type",
      "schedule",
      "--config",
      '{"cron": "0 0 * *"}',
    );
    assertEquals(bad.code, 3);
    assertStringIncludes(bad.stderr, "/config/cron");

    const history = await aio("tr", "history", "daily-sync");
    assertEquals(history.code, 0, history.stderr);
    assertEquals(history.stdout.trim(), "(none)");

    const del = await aio("tr", "delete", "daily-sync");
    assertEquals(del.code, 0, del.stderr);
    assertEquals((await aio("tr", "get", "daily-sync")).code, 5);
  } finally {
    await server.stop();
  }
});

Deno.test("aio events put / test-pattern, and an event rule's firing shows in aio tr history", async () => {
  const server = await startServer();
  try {
    const aio = (...args: string[]) => runCli(args, { server });
    const stepflow = await ensureWorkflow(server, "handle-order");
    const rule = await aio(
      "tr",
      "create",
      "big-orders",
      "--trigger-type",
      "event",
      "--target",
      "wf:handle-order",
      "--enable",
      "--config",
      '{"pattern": {"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}}',
      "--retry",
      '{"maxAttempts": 1}',
    );
    assertEquals(rule.code, 0, rule.stderr);
    const put = await aio(
      "events",
      "put",
      "--source",
      "shop",
      "--detail-type",
      "Order",
      "--detail",
      '{"total": 250}',
    );
    assertEquals(put.code, 0, put.stderr);
    assert(/\s1\s*$/.test(put.stdout.trim().split("\n")[1]), put.stdout);
    const miss = await aio(
      "events",
      "put",
      "--entries",
      '[{"source": "shop", "detail-type": "Order", "detail": {"total": 5}}]',
      "-o",
      "json",
    );
    assertEquals(JSON.parse(miss.stdout).entries[0].matchedRules, 0);
    await aio("events", "put", "--source", "crm", "--detail-type", "Signup", "--detail", '{"who": "ada"}');

    // Both shop events are listed, the unmatched one too, newest first; filters narrow the list.
    const listed = await aio("events", "list");
    assertEquals(listed.code, 0, listed.stderr);
    // (StepFlow's own "Execution Succeeded" system event may sit between them.)
    const lines = listed.stdout.trim().split("\n").filter((l) => !l.includes("aionix.stepflow"));
    assert(/received\s+source\s+detail-type\s+matched\s+event id/i.test(lines[0]), listed.stdout);
    assert(/\scrm\s+Signup\s+0\s/.test(lines[1]), listed.stdout);
    assert(/\sshop\s+Order\s+0\s/.test(lines[2]), listed.stdout);
    assert(/\sshop\s+Order\s+1\s/.test(lines[3]), listed.stdout);
    const shop = JSON.parse((await aio("events", "list", "--source", "shop", "-o", "json")).stdout);
    assertEquals(shop.items.map((e: { detail: unknown }) => e.detail), [{ total: 5 }, { total: 250 }]);
    const signup = JSON.parse(
      (await aio("events", "list", "--detail-type", "Signup", "--limit", "5", "-o", "json")).stdout,
    );
    assertEquals(signup.items.length, 1);
    const paged = await aio("events", "list", "--limit", "1");
    assertStringIncludes(paged.stdout, "more: --next-token ");

    const match = await aio(
      "events",
      "test-pattern",
      "--pattern",
      '{"source": [{"prefix": "sh"}]}',
      "--event",
      '{"source": "shop"}',
    );
    assertEquals([match.code, match.stdout.trim()], [0, "match"]);
    const invalid = await aio("events", "test-pattern", "--pattern", '{"source": "shop"}', "--event", "{}");
    assertEquals(invalid.code, 3);
    assertStringIncludes(invalid.stderr, "/pattern/source");

    let rows = "";
    for (let i = 0; i < 50 && !/event\s+\S+\s+(dispatched|failed|retrying)/.test(rows); i++) {
      rows = (await aio("tr", "history", "big-orders", "-o", "wide")).stdout;
      await new Promise((r) => setTimeout(r, 100));
    }
    // With StepFlow running here the workflow is started ("dispatched"); without it the
    // dispatch fails and, with maxAttempts 1 and no dead-letter, ends "failed". Either way it is recorded.
    assert(new RegExp(`event\\s+\\S+\\s+${stepflow ? "dispatched" : "failed"}`).test(rows), rows);
  } finally {
    await server.stop();
  }
});
