/**
 * Studio console, connections/actions and metrics, in a real browser against the real server:
 * test a connection to a loopback HTTP server (result and latency), a failing one, execute an
 * action with JSON input, then the metrics overview parsed from /metrics.
 */
import { assert, assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { startStub } from "../helpers/openact_stubs.ts";
import { browserAvailable, pageErrors, shot, signIn, startStudio } from "./studio_browser.ts";

Deno.test({
  name: "Studio console connections: test (latency), execute an action; metrics overview",
  ignore: !browserAvailable,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { server, browser, ok, close } = await startStudio();
    const stub = await startStub((_req, rec) =>
      Response.json({ orders: [{ id: Number(rec.query.id ?? 0), total: 42 }], path: rec.path })
    );
    try {
      await ok("POST", "/api/v1/connections", {
        name: "orders-api",
        kind: "http",
        description: "the orders service",
        settings: { baseUrl: stub.url, allowPrivateNetwork: true, headers: { "x-team": "core" } },
      });
      await ok("POST", "/api/v1/connections", {
        name: "dead-api",
        kind: "http",
        settings: { baseUrl: "http://127.0.0.1:9", allowPrivateNetwork: true },
      });
      await ok("POST", "/api/v1/actions", {
        name: "get-orders",
        connection: "orders-api",
        operation: "request",
        description: "list orders",
        parameters: { method: "GET", path: "/orders" },
        inputSchema: { type: "object", properties: { query: { type: "object" } } },
      });
      await ok("POST", "/api/v1/functions", {
        name: "boom",
        runtime: "deno",
        code: "export default () => { throw new Error('nope') }",
      });
      await server.json("POST", "/api/v1/functions/boom/invoke", {});

      const page = await signIn(browser, server.url, server.token);
      const errors = pageErrors(page);

      await t.step(
        "the list shows kind and endpoint; testing a connection shows OK and latency",
        async () => {
          await page.locator('[data-nav="connections"]').click();
          const row = page.getByTestId("connections").locator("tr", { hasText: "orders-api" });
          await row.waitFor();
          assertStringIncludes(await row.innerText(), stub.url);
          await row.getByText("orders-api").click();
          await page.getByTestId("conn-settings").getByText("headers.x-team").waitFor();
          const before = stub.requests.length;
          await page.getByTestId("conn-test").click();
          const result = page.getByTestId("conn-test-result");
          await result.getByText("Connection OK").waitFor();
          assert(/^\d+(\.\d+)? (ms|s)$/.test(await page.getByTestId("conn-latency").innerText()));
          assert(stub.requests.length > before, "the test reached the loopback server");
          await shot(page, "studio_console_connection_test");
        },
      );

      await t.step("a connection to a closed port reports the failure", async () => {
        await page.goto(`${server.url}/studio/#/connections?connection=dead-api`);
        await page.getByTestId("conn-test").click();
        await page.getByTestId("conn-test-result").getByText("Connection failed").waitFor();
      });

      await t.step("an action executes with JSON input and shows output and duration", async () => {
        await page.goto(`${server.url}/studio/#/connections?tab=actions`);
        await page.getByTestId("actions").getByText("http.get-orders").click();
        await page.getByTestId("action-parameters").getByText('"/orders"').waitFor();
        assertStringIncludes(await page.getByTestId("action-input").inputValue(), '"query": {}');
        await page.getByTestId("action-input").fill('{"query": {"id": "7"}}');
        await page.getByTestId("action-run").click();
        const output = page.getByTestId("action-output");
        await output.getByText('"total": 42').waitFor();
        assertStringIncludes(await output.innerText(), '"id": 7');
        assertStringIncludes(await page.getByTestId("action-duration").innerText(), "ms");
        assertEquals(stub.requests.at(-1)!.path, "/orders");
        assertEquals(stub.requests.at(-1)!.query, { id: "7" });
        await shot(page, "studio_console_action_execute");
      });

      await t.step("an input the server rejects shows the problem", async () => {
        await page.getByTestId("action-input").fill('{"query": 5}');
        await page.getByTestId("action-run").click();
        await page.getByTestId("action-failure").getByText("HTTP 400").waitFor();
      });

      await t.step("metrics: key numbers parsed from /metrics", async () => {
        await page.locator('[data-nav="metrics"]').click();
        const fnRow = page.getByTestId("fn-metrics").locator("tr", { hasText: "boom" });
        await fnRow.waitFor();
        const cells = await fnRow.locator("td").allInnerTexts();
        assertEquals(cells.slice(0, 4), ["boom", "default", "1", "1"], "1 invocation, 1 error");
        await page.getByTestId("http-routes").getByText("/api/v1/connections/:ref/test").waitFor();
        const tiles = page.getByTestId("metric-tiles");
        const requests = Number(await tiles.locator('[data-label="HTTP requests"] .tile-value').innerText());
        assert(requests > 10, `HTTP requests ${requests}`);
        await tiles.locator('[data-label="Function errors"]').getByText("1", { exact: true }).waitFor();
        // after the second scrape the request rate is measured
        await tiles.locator('[data-label="HTTP requests"]').getByText(/\/s$/).waitFor({ timeout: 12_000 });
        await shot(page, "studio_console_metrics");
      });
      assertEquals(errors, []);
    } finally {
      await close();
      await stub.close();
    }
  },
});
