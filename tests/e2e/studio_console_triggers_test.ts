/**
 * Studio console, triggers, in a real browser against the real server: the list (type, source,
 * target, enabled switch), a schedule's next fire times from the preview API, and a webhook's
 * history whose execution id opens the execution view.
 */
import { assert, assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { browserAvailable, pageErrors, shot, signIn, startStudio } from "./studio_browser.ts";

Deno.test({
  name: "Studio console triggers: list with switch, next fire times, history linking to executions",
  ignore: !browserAvailable,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { server, browser, ok, close } = await startStudio();
    try {
      await ok("POST", "/api/v1/templates", {
        name: "hello",
        dsl: { entry: "Done", states: { Done: { type: "succeed" } } },
      });
      await ok("POST", "/api/v1/triggers", {
        name: "nightly",
        type: "schedule",
        target: "wf:hello",
        description: "nightly report",
        config: { cron: "0 3 * * *", timezone: "Europe/Paris" },
      });
      await ok("POST", "/api/v1/triggers", {
        name: "github-push",
        type: "webhook",
        target: "wf:hello",
        enabled: true,
        config: { allowUnauthenticated: true },
      });
      const fired = await fetch(`${server.url}/hooks/default/github-push`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ref: "main" }),
      });
      const firing = await fired.json() as { executionId: string };
      assert(fired.ok && firing.executionId, JSON.stringify(firing));

      const page = await signIn(browser, server.url, server.token);
      const errors = pageErrors(page);

      await t.step("the list shows type, source, target and state; the switch enables", async () => {
        await page.locator('[data-nav="triggers"]').click();
        const list = page.getByTestId("triggers");
        const nightly = list.locator("tr", { hasText: "nightly" });
        await nightly.waitFor();
        const text = await nightly.innerText();
        assertStringIncludes(text, "schedule");
        assertStringIncludes(text, "cron(0 3 * * *) Europe/Paris");
        assertStringIncludes(text, "wf:hello");
        assertStringIncludes(text, "Disabled");
        assertStringIncludes(
          await list.locator("tr", { hasText: "github-push" }).innerText(),
          "POST /hooks/default/github-push",
        );
        await shot(page, "studio_console_triggers_list");
        const toggle = page.getByTestId("toggle-nightly");
        assertEquals(await toggle.getAttribute("aria-checked"), "false");
        await toggle.click();
        await nightly.getByText("Enabled", { exact: true }).waitFor();
        assertEquals(await toggle.getAttribute("aria-checked"), "true");
        assertEquals((await ok<{ enabled: boolean }>("GET", "/api/v1/triggers/nightly")).enabled, true);
        assert(/in \d+ (h|min|d)/.test(await nightly.innerText()), "next fire shown relative");
      });

      await t.step("a schedule shows its next fire times from the preview API", async () => {
        await page.getByTestId("triggers").getByText("nightly", { exact: true }).click();
        const times = page.getByTestId("fire-times");
        await times.locator("tbody tr").nth(9).waitFor();
        const preview = await ok<{ fireTimes: string[] }>("GET", "/api/v1/triggers/nightly/preview?count=10");
        assertEquals(await times.locator("tbody tr").count(), 10);
        const firstRow = await times.locator("tbody tr").first().innerText();
        assertStringIncludes(firstRow, preview.fireTimes[0]);
        // 03:00 in Paris is 01:00 or 02:00 UTC
        assert(/T0[12]:00:00\.000Z/.test(preview.fireTimes[0]), preview.fireTimes[0]);
        const summary = await page.getByTestId("trigger-summary").innerText();
        assertStringIncludes(summary, "nightly report");
        await page.getByTestId("trigger-history").getByText("Never fired.").waitFor();
        await shot(page, "studio_console_triggers_schedule");
      });

      await t.step("a webhook's history links the execution to the execution view", async () => {
        await page.goto(`${server.url}/studio/#/triggers/github-push`);
        const history = page.getByTestId("firings");
        const row = history.locator("tbody tr").first();
        await row.waitFor();
        const text = await row.innerText();
        assertStringIncludes(text, "webhook");
        assertStringIncludes(text, "dispatched");
        await page.getByTestId("webhook-url").getByText("/hooks/default/github-push").waitFor();
        await shot(page, "studio_console_triggers_history");
        await page.getByTestId("firing-execution").click();
        await page.waitForURL(`**/#/executions/${firing.executionId}`);
        await page.getByTestId("exec-status").getByText("succeeded").waitFor();
      });
      assertEquals(errors, []);
    } finally {
      await close();
    }
  },
});
