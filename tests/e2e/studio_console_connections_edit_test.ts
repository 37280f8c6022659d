/**
 * Studio console, editing connections and actions, in a real browser against the real server: the
 * edit forms open prefilled, a saved edit is what GET returns, a setting the server rejects shows its
 * error by the field and stores nothing, Cancel drops the draft, JSON that does not parse is reported
 * in the form without a request, and a viewer gets no Edit button.
 */
import { assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { browserAvailable, pageErrors, shot, signIn, startStudio } from "./studio_browser.ts";

interface Conn {
  description: string;
  settings: Record<string, unknown>;
  credential: string | null;
  version: number;
}
interface Act {
  description: string;
  parameters: Record<string, unknown>;
  inputSchema: Record<string, unknown> | null;
  timeoutMs: number | null;
  version: number;
}

Deno.test({
  name: "Studio console edit: connection settings/description/credential and action definition via PUT",
  ignore: !browserAvailable,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { server, browser, ok, close } = await startStudio();
    try {
      await ok("POST", "/api/v1/secrets", { name: "token-a", value: "a-123" });
      await ok("POST", "/api/v1/secrets", { name: "token-b", value: "b-456" });
      await ok("POST", "/api/v1/connections", {
        name: "orders-api",
        kind: "http",
        description: "the orders service",
        settings: {
          baseUrl: "http://127.0.0.1:9/v1",
          allowPrivateNetwork: true,
          headers: { "x-team": "core" },
        },
        credential: "token-a",
      });
      await ok("POST", "/api/v1/actions", {
        name: "get-orders",
        connection: "orders-api",
        operation: "request",
        description: "list orders",
        parameters: { method: "GET", path: "/orders" },
      });
      const viewer = await ok<{ token: string }>("POST", "/api/v1/tokens", {
        name: "auditor",
        role: "viewer",
      });
      const getConn = () => ok<Conn>("GET", "/api/v1/connections/orders-api");
      const getAction = () => ok<Act>("GET", "/api/v1/actions/http.get-orders");

      const page = await signIn(browser, server.url, server.token);
      const errors = pageErrors(page);
      const puts: string[] = [];
      page.on("request", (r) => void (r.method() === "PUT" && puts.push(new URL(r.url()).pathname)));
      const summary = page.getByTestId("conn-summary");
      const openEdit = async () => {
        await page.getByTestId("conn-edit").click();
        // the settings form appears once the connector's schema has loaded
        await page.getByTestId("conn-edit-setting-baseUrl").waitFor();
      };

      await t.step("the connection's edit form opens prefilled with its current values", async () => {
        await page.locator('[data-nav="connections"]').click();
        await page.getByTestId("connections").getByText("orders-api").click();
        // the detail loads asynchronously: wait for this connection's values before using the form
        await summary.getByText("the orders service").waitFor();
        await openEdit();
        assertEquals(await page.getByTestId("conn-edit-description").inputValue(), "the orders service");
        assertEquals(
          await page.getByTestId("conn-edit-setting-baseUrl").inputValue(),
          "http://127.0.0.1:9/v1",
        );
        assertEquals(await page.getByTestId("conn-edit-setting-allowPrivateNetwork").inputValue(), "true");
        assertEquals(
          JSON.parse(await page.getByTestId("conn-edit-setting-headers").inputValue()),
          { "x-team": "core" },
        );
        assertEquals(await page.getByTestId("conn-edit-credential").inputValue(), "token-a");
        assertEquals(await summary.count(), 0, "the read-only panels give way to the form");
      });

      await t.step("saving description, settings and credential PUTs them; GET returns them", async () => {
        await page.getByTestId("conn-edit-description").fill("orders, v2 endpoint");
        await page.getByTestId("conn-edit-setting-baseUrl").fill("http://127.0.0.1:9/v2");
        await page.getByTestId("conn-edit-setting-maxRedirects").fill("2");
        await page.getByTestId("conn-edit-credential").selectOption("token-b");
        await shot(page, "studio_console_connection_edit");
        await page.getByTestId("conn-edit-save").click();
        await page.locator(".toast").getByText("Connection orders-api saved (version 2)").waitFor();
        await summary.getByText("orders, v2 endpoint").waitFor();
        assertEquals(await page.getByTestId("connection-edit").count(), 0, "edit mode is left");
        await page.getByTestId("conn-settings").getByText("http://127.0.0.1:9/v2").waitFor();
        const conn = await getConn();
        assertEquals(conn.version, 2);
        assertEquals(conn.description, "orders, v2 endpoint");
        assertEquals(conn.settings.baseUrl, "http://127.0.0.1:9/v2");
        assertEquals(conn.settings.maxRedirects, 2);
        assertEquals(conn.settings.headers, { "x-team": "core" }, "untouched settings are kept");
        assertEquals(conn.settings.allowPrivateNetwork, true);
        assertStringIncludes(conn.credential ?? "", "credential/token-b");
        await summary.getByText("token-b").waitFor();
      });

      await t.step(
        "a setting the server rejects shows its error by the field; nothing is stored",
        async () => {
          await openEdit();
          assertEquals(
            await page.getByTestId("conn-edit-setting-baseUrl").inputValue(),
            "http://127.0.0.1:9/v2",
          );
          await page.getByTestId("conn-edit-setting-baseUrl").fill("not a url");
          await page.getByTestId("conn-edit-description").fill("should not be stored");
          await page.getByTestId("conn-edit-save").click();
          await page.getByTestId("conn-edit-setting-baseUrl-error").waitFor();
          await shot(page, "studio_console_connection_edit_error");
          assertEquals(await page.getByTestId("connection-edit").count(), 1, "the form stays open");
          const conn = await getConn();
          assertEquals([conn.version, conn.description], [2, "orders, v2 endpoint"]);
          assertEquals(conn.settings.baseUrl, "http://127.0.0.1:9/v2");
        },
      );

      await t.step("a JSON setting that does not parse is reported and not sent", async () => {
        const before = puts.length;
        await page.getByTestId("conn-edit-setting-baseUrl").fill("http://127.0.0.1:9/v3");
        await page.getByTestId("conn-edit-setting-headers").fill('{"x-team": ');
        await page.getByTestId("conn-edit-save").click();
        const error = page.getByTestId("conn-edit-settings-error");
        await error.waitFor();
        assertStringIncludes(await error.innerText(), "headers");
        await page.locator(".toast-error", { hasText: "not JSON in headers" }).waitFor();
        assertEquals(puts.length, before, "no PUT was sent");
        assertEquals((await getConn()).version, 2);
      });

      await t.step("Cancel drops the edits; the form reopens with the stored values", async () => {
        await page.getByTestId("conn-edit-cancel").click();
        await summary.getByText("orders, v2 endpoint").waitFor();
        assertEquals(await page.getByTestId("connection-edit").count(), 0);
        await openEdit();
        assertEquals(await page.getByTestId("conn-edit-description").inputValue(), "orders, v2 endpoint");
        assertEquals(
          await page.getByTestId("conn-edit-setting-baseUrl").inputValue(),
          "http://127.0.0.1:9/v2",
        );
        await page.getByTestId("conn-edit-cancel").click();
        assertEquals((await getConn()).version, 2);
      });

      const actionSummary = page.getByTestId("action-summary");
      await t.step("the action's edit form opens prefilled; a saved edit is what GET returns", async () => {
        await page.goto(`${server.url}/studio/#/connections?tab=actions`);
        await page.getByTestId("actions").getByText("http.get-orders").click();
        await actionSummary.getByText("list orders").waitFor();
        await page.getByTestId("act-edit").click();
        const params = page.getByTestId("act-edit-parameters");
        assertEquals(JSON.parse(await params.inputValue()), { method: "GET", path: "/orders" });
        assertEquals(await page.getByTestId("act-edit-description").inputValue(), "list orders");
        assertEquals(await page.getByTestId("act-edit-connection").inputValue(), "orders-api");
        assertEquals(await page.getByTestId("act-edit-operation").inputValue(), "request");
        assertEquals(await page.getByTestId("act-edit-input-schema").inputValue(), "");
        await page.getByTestId("act-edit-description").fill("search orders");
        await params.fill('{"method": "POST", "path": "/orders/search"}');
        await page.getByTestId("act-edit-input-schema").fill(
          '{"type": "object", "properties": {"body": {"type": "object"}}}',
        );
        await page.getByTestId("act-edit-timeout").fill("5000");
        await shot(page, "studio_console_action_edit");
        await page.getByTestId("act-edit-save").click();
        await page.locator(".toast").getByText("Action http.get-orders saved (version 2)").waitFor();
        await actionSummary.getByText("search orders").waitFor();
        await page.getByTestId("action-parameters").getByText('"/orders/search"').waitFor();
        assertEquals(await page.getByTestId("action-edit").count(), 0, "edit mode is left");
        const action = await getAction();
        assertEquals(action.version, 2);
        assertEquals(action.description, "search orders");
        assertEquals(action.parameters, { method: "POST", path: "/orders/search" });
        assertEquals(action.inputSchema, { type: "object", properties: { body: { type: "object" } } });
        assertEquals(action.timeoutMs, 5000);
        // the new input schema gives a new example input
        assertStringIncludes(await page.getByTestId("action-input").inputValue(), '"body": {}');
      });

      await t.step("parameters that are not JSON are reported in the form; nothing is sent", async () => {
        await page.getByTestId("act-edit").click();
        const before = puts.length;
        await page.getByTestId("act-edit-parameters").fill('{"method": "DELETE",');
        await page.getByTestId("act-edit-description").fill("should not be stored");
        await page.getByTestId("act-edit-save").click();
        const error = page.getByTestId("act-edit-parameters-error");
        await error.waitFor();
        assertStringIncludes(await error.innerText(), "not JSON");
        await page.locator(".toast-error", { hasText: "Action http.get-orders not saved: /parameters" })
          .waitFor();
        await shot(page, "studio_console_action_edit_error");
        assertEquals(puts.length, before, "no PUT was sent");
        const action = await getAction();
        assertEquals([action.version, action.description], [2, "search orders"]);
      });

      await t.step("a value the server rejects shows its error by the field", async () => {
        await page.getByTestId("act-edit-parameters").fill('{"method": "DELETE"}');
        await page.getByTestId("act-edit-timeout").fill("0");
        await page.getByTestId("act-edit-save").click();
        await page.getByTestId("act-edit-timeout-error").waitFor();
        await page.locator(".toast-error", { hasText: "/timeoutMs" }).waitFor();
        assertEquals(await page.getByTestId("act-edit-parameters-error").count(), 0);
        assertEquals((await getAction()).version, 2);
        await page.getByTestId("act-edit-cancel").click();
        await actionSummary.getByText("search orders").waitFor();
        assertEquals(await page.getByTestId("action-edit").count(), 0);
      });

      await t.step("a viewer sees the details but no Edit buttons", async () => {
        const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        const vp = await ctx.newPage();
        pageErrors(vp, errors);
        // the buttons depend on the role from /whoami: the "no button" checks wait for its answer
        const whoami = vp.waitForResponse((r) => r.url().endsWith("/api/v1/whoami"));
        await vp.goto(`${server.url}/studio/`);
        await vp.getByTestId("token").fill(viewer.token);
        await vp.getByTestId("signin").click();
        await vp.locator("nav.nav").waitFor();
        await vp.goto(`${server.url}/studio/#/connections?connection=orders-api`);
        await vp.getByTestId("conn-summary").getByText("orders, v2 endpoint").waitFor();
        assertEquals((await (await whoami).json()).role, "viewer");
        assertEquals(await vp.getByTestId("conn-edit").count(), 0);
        await vp.goto(`${server.url}/studio/#/connections?action=http.get-orders`);
        await vp.getByTestId("action-summary").getByText("search orders").waitFor();
        assertEquals(await vp.getByTestId("act-edit").count(), 0);
        await ctx.close();
      });
      assertEquals(errors, []);
    } finally {
      await close();
    }
  },
});
