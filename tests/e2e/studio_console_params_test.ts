/**
 * Studio console, parameters, in a real browser against the real server: the path tree from
 * get-by-path (recursive), value/type/version, history, setting a new value, attaching a label
 * and creating a parameter from the form.
 */
import { assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { browserAvailable, pageErrors, shot, signIn, startStudio } from "./studio_browser.ts";

const enc = encodeURIComponent;

Deno.test({
  name: "Studio console params: tree, value and history, set a new value, label, create",
  ignore: !browserAvailable,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { server, browser, ok, close } = await startStudio();
    try {
      await ok("PUT", `/api/v1/params/${enc("/app/db/host")}`, {
        value: "localhost",
        description: "db host",
      });
      await ok("PUT", `/api/v1/params/${enc("/app/db/host")}`, { value: "db.internal" });
      await ok("PUT", `/api/v1/params/${enc("/app/db/port")}`, { value: 5432, type: "number" });
      await ok("PUT", `/api/v1/params/${enc("/app/limits")}`, { value: { retries: 3 }, type: "json" });
      await ok("PUT", `/api/v1/params/${enc("/other/region")}`, { value: "eu-west-1" });

      const page = await signIn(browser, server.url, server.token);
      const errors = pageErrors(page);
      const tree = page.getByTestId("param-tree");
      const node = (path: string) => tree.locator(`[data-path="${path}"]`);
      // Selecting a parameter renders its detail once loaded; until then the previous one's
      // form is still on screen, so wait for the new title before typing into the form.
      const open = async (path: string) => {
        await node(path).click();
        await page.getByTestId("param-summary").getByText(path, { exact: true }).waitFor();
      };

      await t.step("the tree shows folders; opening them reaches a parameter", async () => {
        await page.locator('[data-nav="params"]').click();
        await node("/app").waitFor();
        await node("/other").waitFor();
        assertEquals(await node("/app/db").count(), 0, "folders start closed");
        assertStringIncludes(await node("/app").innerText(), "3");
        await node("/app").click();
        await node("/app/db").click();
        await open("/app/db/host");
        const summary = page.getByTestId("param-summary");
        await summary.getByText("db.internal").waitFor();
        const text = await summary.innerText();
        assertStringIncludes(text, "string");
        assertStringIncludes(text, "db host");
        const history = page.getByTestId("param-versions");
        await history.locator("tbody tr").nth(1).waitFor();
        assertStringIncludes(await history.innerText(), "localhost");
      });

      await t.step("typed values render by type (number, json)", async () => {
        await open("/app/limits");
        await page.getByTestId("param-summary").getByText('"retries": 3').waitFor();
        await open("/app/db/port");
        await page.getByTestId("param-summary").getByText("number").waitFor();
        await page.getByTestId("param-summary").getByText("5432").waitFor();
      });

      await t.step("setting a new value makes a version; a label attaches to it", async () => {
        await open("/app/db/host");
        await page.getByTestId("param-value").fill("db.prod");
        await page.getByTestId("param-save").click();
        await page.getByTestId("param-summary").getByText("db.prod").waitFor();
        await page.getByTestId("param-versions").locator("tbody tr").nth(2).waitFor();
        const p = await ok<{ version: number; value: string }>(
          "GET",
          `/api/v1/params/${enc("/app/db/host")}`,
        );
        assertEquals([p.version, p.value], [3, "db.prod"]);
        await page.getByTestId("label-name").fill("prod");
        await page.getByTestId("label-version").selectOption("3");
        await page.getByTestId("label-attach").click();
        await page.getByTestId("param-versions").locator('[data-label="prod"]').waitFor();
        const labelled = await ok<{ value: string }>("GET", `/api/v1/params/${enc("/app/db/host:prod")}`);
        assertEquals(labelled.value, "db.prod");
        await shot(page, "studio_console_params");
      });

      await t.step("a bad value shows the server's error and stores nothing", async () => {
        await open("/app/db/port");
        await page.getByTestId("param-value").fill("not a number");
        await page.getByTestId("param-save").click();
        await page.locator(".toast-error").getByText("number").first().waitFor();
        const p = await ok<{ version: number }>("GET", `/api/v1/params/${enc("/app/db/port")}`);
        assertEquals(p.version, 1);
      });

      await t.step("creating a parameter from the form adds it to the tree", async () => {
        await page.getByTestId("param-new").click();
        await page.getByTestId("new-param-path").fill("/feature/beta");
        await page.getByTestId("new-param-type").selectOption("boolean");
        await page.getByTestId("new-param-value").selectOption("true");
        await page.getByTestId("new-param-save").click();
        await node("/feature/beta").waitFor();
        await page.getByTestId("param-summary").getByText("boolean").waitFor();
        const p = await ok<{ value: unknown; type: string }>("GET", `/api/v1/params/${enc("/feature/beta")}`);
        assertEquals([p.type, p.value], ["boolean", true]);
      });

      await t.step("the filter narrows the tree to matching paths", async () => {
        await page.getByTestId("param-filter").fill("region");
        await node("/other/region").waitFor();
        assertEquals(await node("/app").count(), 0);
      });
      assertEquals(errors, []);
    } finally {
      await close();
    }
  },
});
