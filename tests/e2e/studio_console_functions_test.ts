/**
 * Studio console, functions, in a real browser against the real server: the list, configuration,
 * versions with code hashes, alias traffic weights (shown and edited through the UI), the Test tab
 * (result, error, duration, the invocation's logs), recent logs and the live SSE tail.
 */
import { assert, assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { browserAvailable, pageErrors, shot, signIn, startStudio } from "./studio_browser.ts";

const CODE_V1 = `export default (e) => {
  if (e.x === undefined) throw new TypeError("x is required");
  console.log("got", e.x);
  return { doubled: e.x * 2 };
}`;
const CODE_V2 = CODE_V1.replace("e.x * 2", "e.x * 2, v: 2");

Deno.test({
  name: "Studio console functions: list, versions, alias traffic, invoke, logs and live tail",
  ignore: !browserAvailable,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { server, browser, ok, close } = await startStudio();
    try {
      await ok("POST", "/api/v1/functions", {
        name: "double",
        runtime: "deno",
        code: CODE_V1,
        description: "doubles x",
        timeout: 5,
        env: { MODE: "test" },
      });
      const v1 = await ok<{ codeHash: string }>("POST", "/api/v1/functions/double/versions", {
        description: "first",
      });
      await ok("PUT", "/api/v1/functions/double", { code: CODE_V2 });
      await ok("POST", "/api/v1/functions/double/versions", { description: "second" });
      await ok("POST", "/api/v1/functions/double/aliases", { name: "live", version: "1" });
      await ok("POST", "/api/v1/functions/double/aliases/live/traffic", { "1": 0.8, "2": 0.2 });

      const page = await signIn(browser, server.url, server.token);
      const errors = pageErrors(page);

      await t.step("the list shows runtime, latest version and last modified", async () => {
        await page.locator('[data-nav="functions"]').click();
        const row = page.getByTestId("functions").locator("tr", { hasText: "double" });
        await row.waitFor();
        const text = await row.innerText();
        assertStringIncludes(text, "deno");
        assertStringIncludes(text, "doubles x");
        assert(/just now|ago/.test(text), text);
        assertEquals((await row.locator("td").nth(3).innerText()).trim(), "2");
      });

      await t.step("configuration is a readable form", async () => {
        await page.getByTestId("functions").getByText("double", { exact: true }).click();
        const cfg = page.getByTestId("fn-config");
        await cfg.getByText("5 s").waitFor();
        assertStringIncludes(await cfg.innerText(), "128 MB");
        await page.getByTestId("fn-env").getByText("MODE").waitFor();
        await page.getByTestId("cfg-edit").click();
        await page.getByTestId("cfg-timeout").fill("7");
        await page.getByTestId("cfg-save").click();
        await cfg.getByText("7 s").waitFor();
        assertEquals((await ok<{ timeout: number }>("GET", "/api/v1/functions/double")).timeout, 7);
      });

      await t.step("versions show their code hash and creation time", async () => {
        await page.locator('[data-tab="versions"]').click();
        const table = page.getByTestId("fn-versions");
        await table.locator("tbody tr").nth(1).waitFor();
        assertEquals(await table.locator("tbody tr").count(), 2);
        assertStringIncludes(await table.innerText(), v1.codeHash.slice(0, 12));
        assertStringIncludes(await table.innerText(), "second");
      });

      await t.step("publishing from the UI adds a version after a config change", async () => {
        await page.getByTestId("publish-description").fill("third from studio");
        await page.getByTestId("fn-publish").click();
        const table = page.getByTestId("fn-versions");
        await table.getByText("third from studio").waitFor();
        assertEquals(await table.locator("tbody tr").count(), 3);
        const v = await ok<{ items: { version: number; timeout: number }[] }>(
          "GET",
          "/api/v1/functions/double/versions",
        );
        assertEquals(v.items.map((x) => [x.version, x.timeout]).at(-1), [3, 7]);
      });

      await t.step("alias traffic weights render and are edited from the UI", async () => {
        await page.locator('[data-tab="aliases"]').click();
        const bar = page.getByTestId("weights-live");
        await bar.locator('[data-version="1"]').getByText("v1 80%").waitFor();
        await bar.locator('[data-version="2"]').getByText("v2 20%").waitFor();
        assertStringIncludes(
          await page.getByTestId("aliases").innerText(),
          "version 1: 80% · version 2: 20%",
        );
        await page.getByTestId("edit-traffic-live").click();
        await page.getByTestId("traffic-weight").fill("30");
        await shot(page, "studio_console_functions_aliases");
        await page.getByTestId("traffic-save").click();
        await bar.locator('[data-version="1"]').getByText("v1 70%").waitFor();
        await bar.locator('[data-version="2"]').getByText("v2 30%").waitFor();
        const alias = await ok<{ weights: Record<string, number> }>(
          "GET",
          "/api/v1/functions/double/aliases/live",
        );
        assertEquals(alias.weights, { "1": 0.7, "2": 0.3 });
        await page.getByTestId("alias-name").fill("beta");
        await page.locator('[data-testid="fn-aliases"] select').selectOption("3");
        await page.getByTestId("alias-create").click();
        await page.getByTestId("weights-beta").locator('[data-version="3"]').getByText("v3 100%").waitFor();
        const beta = await ok<{ version: string }>("GET", "/api/v1/functions/double/aliases/beta");
        assertEquals(beta.version, "3");
      });

      await t.step("the Test tab shows the result, duration and the invocation's logs", async () => {
        await page.locator('[data-tab="test"]').click();
        await page.getByTestId("fn-event").fill('{"x": 21}');
        await page.getByTestId("fn-invoke").click();
        const result = page.getByTestId("fn-result");
        await result.getByText("Succeeded", { exact: true }).waitFor();
        assertStringIncludes(await page.getByTestId("fn-response").innerText(), '"doubled": 42');
        const summary = await page.getByTestId("fn-result-summary").innerText();
        assert(/DURATION\s*\n?\s*[\d.]+ ms/i.test(summary), summary);
        await page.getByTestId("fn-invoke-logs").getByText("got 21").waitFor();
        assertStringIncludes(await page.getByTestId("fn-invoke-logs").innerText(), "REPORT RequestId");
        await shot(page, "studio_console_functions_test");
      });

      await t.step("a function error shows its type, message and stack", async () => {
        await page.getByTestId("fn-event").fill("{}");
        await page.getByTestId("fn-invoke").click();
        const error = page.getByTestId("fn-error");
        await error.getByText("x is required").waitFor();
        assertStringIncludes(await error.innerText(), "TypeError");
        await page.getByTestId("fn-result").getByText("Failed", { exact: true }).waitFor();
      });

      await t.step("invalid JSON disables Invoke", async () => {
        await page.getByTestId("fn-event").fill("{x:");
        assertEquals(await page.getByTestId("fn-invoke").isDisabled(), true);
      });

      await t.step("recent logs, and the live tail shows a new invocation without reloading", async () => {
        await page.locator('[data-tab="logs"]').click();
        const lines = page.getByTestId("fn-log-lines");
        await lines.getByText("got 21").waitFor();
        await page.getByTestId("log-tail").click();
        await page.getByTestId("live-status").getByText("Live").waitFor();
        const invoked = await ok<{ requestId: string }>("POST", "/api/v1/functions/double/invoke", { x: 99 });
        await lines.getByText("got 99").waitFor();
        await lines.getByText(`START RequestId: ${invoked.requestId}`).waitFor();
        await shot(page, "studio_console_functions_logs");
        await page.getByTestId("log-request").fill(invoked.requestId);
        await lines.getByText("got 21").waitFor({ state: "detached" });
        assertStringIncludes(await lines.innerText(), "got 99");
      });

      await t.step("the Monitor tab counts invocations and errors", async () => {
        await page.locator('[data-tab="monitor"]').click();
        const tiles = page.getByTestId("fn-monitor");
        await tiles.locator('[data-label="Invocations"]').getByText("3", { exact: true }).waitFor();
        await tiles.locator('[data-label="Errors"]').getByText("1", { exact: true }).waitFor();
      });
      assertEquals(errors, []);
    } finally {
      await close();
    }
  },
});
