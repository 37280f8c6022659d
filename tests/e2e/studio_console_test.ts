/**
 * Studio console smoke test in a real browser against the real server: each console page shows
 * data created through the API (the studio_console_*_test.ts files go deeper per page), the
 * executions list with filters and a failed execution shown red with redrive available.
 */
import { assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { browserAvailable, pageErrors, shot, signIn, startStudio } from "./studio_browser.ts";

Deno.test({
  name: "Studio console: every page renders API data; executions list filters and a failed execution",
  ignore: !browserAvailable,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { server, browser, ok, close } = await startStudio();
    try {
      await ok("POST", "/api/v1/functions", {
        name: "double",
        runtime: "deno",
        code: "export default (e) => ({ doubled: e.x * 2 })",
        description: "doubles x",
      });
      await ok("POST", "/api/v1/templates", {
        name: "will-fail",
        dsl: {
          entry: "Boom",
          states: {
            Boom: { type: "fail", error: "Kaput", cause: "on purpose" },
          },
        },
      });
      await ok("POST", "/api/v1/triggers", {
        name: "every-5",
        type: "schedule",
        target: "wf:will-fail",
        config: { cron: "*/5 * * * *" },
      });
      await ok("POST", "/api/v1/secrets", {
        name: "db-pass",
        value: "s3cret-value",
        description: "database",
      });
      await ok("PUT", `/api/v1/params/${encodeURIComponent("/app/db/host")}`, {
        value: "localhost",
        description: "db host",
      });
      await ok("PUT", `/api/v1/params/${encodeURIComponent("/app/db/host")}`, {
        value: "db.internal",
      });
      const failed = await ok(
        "POST",
        "/api/v1/templates/will-fail/executions",
        { mode: "sync" },
      ) as {
        id: string;
      };

      const page = await signIn(browser, server.url, server.token);
      const errors = pageErrors(page);

      await t.step("every console page renders its data from the API", async () => {
        await page.locator('[data-nav="functions"]').click();
        await page.getByTestId("functions").getByText("double", { exact: true }).click();
        await page.locator('[data-tab="test"]').click();
        await page.getByTestId("fn-event").fill('{"x": 21}');
        await page.getByTestId("fn-invoke").click();
        await page.getByTestId("fn-response").getByText('"doubled": 42').waitFor();
        await page.locator('[data-nav="triggers"]').click();
        await page.getByTestId("toggle-every-5").click();
        await page.getByTestId("triggers").getByText("Enabled", { exact: true }).waitFor();
        assertEquals((await ok("GET", "/api/v1/triggers/every-5") as { enabled: boolean }).enabled, true);
        await page.getByTestId("triggers").getByText("every-5").click();
        await page.getByTestId("fire-times").locator("tbody tr").first().waitFor();
        await page.locator('[data-nav="secrets"]').click();
        await page.getByTestId("secrets").getByText("db-pass").click();
        await page.getByTestId("reveal").click();
        await page.getByTestId("revealed-value").getByText("s3cret-value").waitFor();
        await page.locator('[data-nav="params"]').click();
        await page.getByTestId("param-tree").locator('[data-path="/app"]').click();
        await page.getByTestId("param-tree").locator('[data-path="/app/db"]').click();
        await page.getByTestId("param-tree").locator('[data-path="/app/db/host"]').click();
        await page.getByTestId("param-summary").getByText("db.internal").waitFor();
        assertStringIncludes(await page.getByTestId("param-versions").innerText(), "localhost");
      });

      await t.step(
        "executions: filter by status; a failed execution is red with redrive enabled",
        async () => {
          await page.locator('[data-nav="executions"]').click();
          await page.getByTestId("filter-status").selectOption("failed");
          await page.getByTestId("executions").getByText("will-fail v1").first()
            .click();
          await page.getByTestId("exec-status").getByText("failed").waitFor();
          await page.locator('[data-state="Boom"].status-failed').waitFor();
          assertEquals(await page.getByTestId("redrive").isEnabled(), true);
          assertEquals(await page.getByTestId("cancel").isEnabled(), false);
          await page.locator('[data-state="Boom"]').click();
          await page.getByTestId("state-panel").waitFor();
          assertStringIncludes(page.url(), failed.id);
          await shot(page, "studio_execution_failed");
        },
      );

      await t.step("metrics: the overview and the raw series", async () => {
        await page.locator('[data-nav="metrics"]').click();
        await page.getByTestId("fn-metrics").getByText("double").waitFor();
        await page.getByTestId("metrics").locator("tr").nth(2).waitFor();
      });
      assertEquals(errors, []);
    } finally {
      await close();
    }
  },
});
