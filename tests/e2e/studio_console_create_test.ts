/**
 * Studio console create forms, in a real browser against the real server: a webhook trigger with a
 * GitHub-style signature secret (fired with a correct signature, seen in the history), a schedule
 * with its next fire times previewed before saving, an event rule whose pattern is checked against a
 * sample event, a connection from the http settings form (server errors by the field, then tested
 * against a loopback server with its CredVault bearer token) and an action that executes.
 */
import { assert, assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { startStub } from "../helpers/openact_stubs.ts";
import { browserAvailable, pageErrors, shot, signIn, startStudio } from "./studio_browser.ts";

async function signGithub(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)));
  return `sha256=${Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

Deno.test({
  name: "Studio console create forms: triggers (webhook, schedule, event), connection and action via the UI",
  ignore: !browserAvailable,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { server, browser, ok, close } = await startStudio();
    const stub = await startStub((_req, rec) => Response.json({ orders: [{ id: 1 }], path: rec.path }));
    try {
      await ok("POST", "/api/v1/templates", {
        name: "hello",
        dsl: { entry: "Done", states: { Done: { type: "succeed" } } },
      });
      await ok("POST", "/api/v1/secrets", { name: "gh-hook", value: "hook-secret-1" });
      await ok("POST", "/api/v1/secrets", { name: "orders-token", value: "tok-123" });
      const page = await signIn(browser, server.url, server.token);
      const errors = pageErrors(page);

      await t.step("a webhook trigger with a signature secret fires with a correct signature", async () => {
        await page.locator('[data-nav="triggers"]').click();
        await page.getByTestId("new-trigger").click();
        await page.getByTestId("trg-name").fill("gh-push");
        await page.getByTestId("trg-type").selectOption("webhook");
        await page.getByTestId("trg-target").selectOption("hello");
        await page.getByTestId("hook-style").selectOption("github");
        // no secret chosen: the server's error lands by the secret field
        await page.getByTestId("trg-create").click();
        await page.getByTestId("hook-secret-error").waitFor();
        await shot(page, "studio_console_create_webhook_error");
        await page.getByTestId("hook-secret").selectOption("gh-hook");
        await page.getByTestId("trg-create").click();
        await page.waitForURL("**/#/triggers/gh-push");
        const trg = await ok<{ enabled: boolean; target: string; config: Record<string, unknown> }>(
          "GET",
          "/api/v1/triggers/gh-push",
        );
        assertEquals(trg.enabled, true);
        assertEquals(trg.target, "wf:hello");
        assertEquals(trg.config.signature, { style: "github", secrets: ["gh-hook"] });

        const body = JSON.stringify({ ref: "main" });
        const bad = await fetch(`${server.url}/hooks/default/gh-push`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-hub-signature-256": await signGithub("nope", body),
          },
          body,
        });
        assertEquals(bad.status, 401, await bad.text());
        const good = await fetch(`${server.url}/hooks/default/gh-push`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-hub-signature-256": await signGithub("hook-secret-1", body),
          },
          body,
        });
        const fired = await good.json() as { executionId?: string };
        assertEquals(good.status, 202, JSON.stringify(fired));
        assert(fired.executionId);
        const history = await ok<{ items: Array<{ executionId?: string }> }>(
          "GET",
          "/api/v1/triggers/gh-push/history",
        );
        assertEquals(history.items.length, 1);
        assertEquals(history.items[0].executionId, fired.executionId);
        await page.reload();
        await page.getByTestId("firings").locator("tbody tr").first().getByText("dispatched").waitFor();
        await shot(page, "studio_console_create_webhook_history");
      });

      await t.step("a schedule previews its next fire times before saving", async () => {
        await page.goto(`${server.url}/studio/#/triggers?new=1`);
        await page.getByTestId("trg-name").fill("nightly");
        await page.getByTestId("trg-target").selectOption("hello");
        await page.getByTestId("sched-expr").fill("61 3 * * *");
        await page.getByTestId("sched-expr-error").waitFor();
        await page.getByTestId("sched-expr").fill("0 3 * * *");
        await page.getByTestId("sched-tz").fill("Europe/Paris");
        const items = page.getByTestId("sched-preview").locator("li");
        await items.nth(4).waitFor();
        const preview = await ok<{ fireTimes: string[] }>("POST", "/api/v1/triggers/preview", {
          config: { cron: "0 3 * * *", timezone: "Europe/Paris" },
          count: 5,
        });
        await page.getByTestId("sched-preview").getByText(preview.fireTimes[0]).waitFor();
        assert(/T0[12]:00:00\.000Z/.test(preview.fireTimes[0]), preview.fireTimes[0]);
        await shot(page, "studio_console_create_schedule");
        await page.getByTestId("trg-create").click();
        await page.waitForURL("**/#/triggers/nightly");
        const trg = await ok<{ enabled: boolean; nextFireAt: string; config: Record<string, unknown> }>(
          "GET",
          "/api/v1/triggers/nightly",
        );
        assertEquals(trg.config.cron, "0 3 * * *");
        assertEquals(trg.config.timezone, "Europe/Paris");
        assertEquals(trg.enabled, true);
        assertEquals(trg.nextFireAt, preview.fireTimes[0]);
      });

      await t.step("an event rule's pattern is checked against a sample event", async () => {
        await page.goto(`${server.url}/studio/#/triggers?new=1`);
        await page.getByTestId("trg-name").fill("big-orders");
        await page.getByTestId("trg-type").selectOption("event");
        await page.getByTestId("trg-target").selectOption("hello");
        await page.getByTestId("event-pattern").fill('{"source": "shop"}');
        await page.getByTestId("event-test").click();
        await page.getByTestId("event-pattern-error").waitFor();
        await page.getByTestId("event-pattern").fill(
          '{"source": ["shop"], "detail": {"total": [{"numeric": [">", 500]}]}}',
        );
        await page.getByTestId("event-test").click();
        await page.getByTestId("event-test-result").getByText("does not match").waitFor();
        await page.getByTestId("event-pattern").fill(
          '{"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}',
        );
        await page.getByTestId("event-test").click();
        await page.getByTestId("event-test-result").getByText("the sample event matches").waitFor();
        await shot(page, "studio_console_create_event_rule");
        await page.getByTestId("trg-create").click();
        await page.waitForURL("**/#/triggers/big-orders");
        const trg = await ok<{ enabled: boolean; config: { pattern: unknown } }>(
          "GET",
          "/api/v1/triggers/big-orders",
        );
        assertEquals(trg.enabled, true);
        assertEquals(trg.config.pattern, { source: ["shop"], detail: { total: [{ numeric: [">", 100] }] } });
      });

      await t.step("a connection from the settings form: field errors, then a passing test", async () => {
        await page.goto(`${server.url}/studio/#/connections`);
        await page.getByTestId("new-connection").click();
        await page.getByTestId("conn-name").fill("orders-api");
        await page.getByTestId("conn-kind").selectOption("http");
        await page.getByTestId("conn-setting-baseUrl").fill("not a url");
        await page.getByTestId("conn-setting-allowPrivateNetwork").selectOption("true");
        await page.getByTestId("conn-setting-auth").fill('{"type": "bearer"}');
        await page.getByTestId("conn-credential").selectOption("orders-token");
        await page.getByTestId("conn-create").click();
        await page.getByTestId("conn-setting-baseUrl-error").waitFor();
        await shot(page, "studio_console_create_connection_error");
        await page.getByTestId("conn-setting-baseUrl").fill(stub.url);
        await page.getByTestId("conn-create").click();
        await page.waitForURL("**/#/connections?connection=orders-api");
        const conn = await ok<{ kind: string; settings: Record<string, unknown>; credential: string }>(
          "GET",
          "/api/v1/connections/orders-api",
        );
        assertEquals(conn.kind, "http");
        assertEquals(conn.settings.baseUrl, stub.url);
        assertStringIncludes(conn.credential, "orders-token");
        const before = stub.requests.length;
        await page.getByTestId("conn-test").click();
        await page.getByTestId("conn-test-result").getByText("Connection OK").waitFor();
        assert(stub.requests.length > before, "the test reached the loopback server");
        assertEquals(stub.requests.at(-1)!.headers.authorization, "Bearer tok-123");
      });

      await t.step("an action from connection, operation and parameters executes", async () => {
        await page.goto(`${server.url}/studio/#/connections?tab=actions`);
        await page.getByTestId("new-action").click();
        await page.getByTestId("act-name").fill("list-orders");
        await page.getByTestId("act-connection").selectOption("orders-api");
        await page.getByTestId("act-operation").selectOption("request");
        await page.getByTestId("act-parameters").fill('{"method": "GET", "path": "/orders"}');
        await shot(page, "studio_console_create_action");
        await page.getByTestId("act-create").click();
        await page.waitForURL("**/#/connections?action=http.list-orders");
        const action = await ok<{ operation: string; parameters: unknown }>(
          "GET",
          "/api/v1/actions/http.list-orders",
        );
        assertEquals(action.operation, "request");
        assertEquals(action.parameters, { method: "GET", path: "/orders" });
        await page.getByTestId("action-run").click();
        await page.getByTestId("action-output").getByText('"/orders"').waitFor();
        assertEquals(stub.requests.at(-1)!.path, "/orders");
      });
      assertEquals(errors, []);
    } finally {
      await close();
      await stub.close();
    }
  },
});
