/**
 * Studio console, secrets, in a real browser against the real server: the list never shows values;
 * the detail shows versions with their stages; an admin reveals a value that hides itself again;
 * a viewer token gets no reveal button at all.
 */
import { assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { browserAvailable, pageErrors, shot, signIn, startStudio } from "./studio_browser.ts";

Deno.test({
  name: "Studio console secrets: no values in lists, stages, timed reveal for admins, none for viewers",
  ignore: !browserAvailable,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { server, browser, ok, close } = await startStudio();
    try {
      await ok("POST", "/api/v1/secrets", {
        name: "db-pass",
        value: "s3cret-value",
        description: "database password",
        tags: { team: "core" },
      });
      const pending = await ok<{ versionId: string }>("POST", "/api/v1/secrets/db-pass/versions", {
        value: "n3xt-value",
        stage: "pending",
      });
      await ok("POST", "/api/v1/triggers", {
        name: "rotate-check",
        type: "schedule",
        config: { rate: "1 hour" },
      });
      const viewer = await ok<{ token: string }>("POST", "/api/v1/tokens", {
        name: "auditor",
        role: "viewer",
      });

      const page = await signIn(browser, server.url, server.token);
      const errors = pageErrors(page);

      await t.step("the list shows metadata and stages, never a value", async () => {
        await page.locator('[data-nav="secrets"]').click();
        const row = page.getByTestId("secrets").locator("tr", { hasText: "db-pass" });
        await row.waitFor();
        const text = await row.innerText();
        assertStringIncludes(text, "password");
        assertStringIncludes(text, "database password");
        assertStringIncludes(text, "current");
        assertStringIncludes(text, "pending");
        const html = await page.content();
        assertEquals(html.includes("s3cret-value") || html.includes("n3xt-value"), false);
      });

      await t.step("versions show their stages; the value is masked until revealed", async () => {
        await page.getByTestId("secrets").getByText("db-pass").click();
        const versions = page.getByTestId("versions");
        await versions.locator("tbody tr").nth(1).waitFor();
        const pendingRow = versions.locator("tr", { hasText: pending.versionId });
        await pendingRow.locator('[data-status="pending"]').waitFor();
        await versions.locator("tbody tr").nth(1).locator('[data-status="current"]').waitFor();
        await page.getByTestId("masked-value").waitFor();
        assertEquals((await page.content()).includes("s3cret-value"), false);
        await shot(page, "studio_console_secrets_masked");
      });

      await t.step("an admin reveals the value; it hides itself again after a few seconds", async () => {
        await page.getByTestId("reveal").click();
        await page.getByTestId("revealed-value").getByText("s3cret-value").waitFor();
        assertStringIncludes(await page.getByTestId("reveal-countdown").innerText(), "hidden in");
        await shot(page, "studio_console_secrets_revealed");
        await page.getByTestId("masked-value").waitFor({ timeout: 15_000 });
        assertEquals((await page.content()).includes("s3cret-value"), false);
      });

      await t.step("a version's own Reveal shows that version (the pending one)", async () => {
        await page.getByTestId("versions").locator("tr", { hasText: pending.versionId }).getByRole("button", {
          name: "Reveal",
        }).click();
        await page.getByTestId("revealed-value").getByText("n3xt-value").waitFor();
        await page.getByTestId("hide").click();
        await page.getByTestId("masked-value").waitFor();
      });

      await t.step("a viewer token sees metadata and versions but no reveal button", async () => {
        const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        const vp = await ctx.newPage();
        pageErrors(vp, errors);
        await vp.goto(`${server.url}/studio/`);
        await vp.getByTestId("token").fill(viewer.token);
        await vp.getByTestId("signin").click();
        await vp.locator("nav.nav").waitFor();
        await vp.goto(`${server.url}/studio/#/secrets/db-pass`);
        await vp.getByTestId("reveal-denied").waitFor();
        assertStringIncludes(await vp.getByTestId("reveal-denied").innerText(), "role viewer");
        await vp.getByTestId("versions").locator("tbody tr").nth(1).waitFor();
        assertEquals(await vp.getByTestId("reveal").count(), 0);
        assertEquals(await vp.getByRole("button", { name: "Reveal" }).count(), 0);
        assertEquals(await vp.getByTestId("new-version-value").count(), 0);
        // and the server refuses a viewer anyway
        const res = await fetch(`${server.url}/api/v1/secrets/db-pass/reveal`, {
          method: "POST",
          headers: { authorization: `Bearer ${viewer.token}` },
        });
        assertEquals(res.status, 403);
        await res.body?.cancel();
        await shot(vp, "studio_console_secrets_viewer");
        // the viewer cannot flip a trigger either: the switch is disabled
        await vp.goto(`${server.url}/studio/#/triggers`);
        await vp.getByTestId("toggle-rotate-check").waitFor();
        assertEquals(await vp.getByTestId("toggle-rotate-check").isDisabled(), true);
        await ctx.close();
      });
      assertEquals(errors, []);
    } finally {
      await close();
    }
  },
});
