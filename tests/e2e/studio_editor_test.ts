/**
 * Studio in a real browser against the real server: palette drag, connect, inspector edits
 * reflected in code, code edits reflected in the graph, undo/redo, save as versions, run and
 * watch the execution turn green, and a validation error shown on its node.
 * Screenshots go to tests/.out/ (git-ignored).
 */
import type { Page } from "playwright-core";
import { assert, assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { browserAvailable, pageErrors, shot, signIn, startStudio } from "./studio_browser.ts";

async function codeText(page: Page): Promise<string> {
  return await page.locator(".cm-content").innerText();
}

async function dragHandle(page: Page, from: string, to: string) {
  const src = page.locator(`[data-state="${from}"] .react-flow__handle.source`);
  const dst = page.locator(`[data-state="${to}"] .react-flow__handle.target`);
  const a = (await src.boundingBox())!;
  const b = (await dst.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + 20, a.y + 40, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 10 });
  await page.mouse.up();
}

Deno.test({
  name: "Studio: design, code sync, undo/redo, save, run to green, errors on nodes",
  ignore: !browserAvailable,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { server, browser, close } = await startStudio();
    try {
      const page = await signIn(browser, server.url, server.token);
      const errors = pageErrors(page);

      await t.step(
        "drag a task from the palette onto the canvas and connect it",
        async () => {
          await page.goto(`${server.url}/studio/#/workflows/new`);
          await page.locator('[data-state="Hello"]').waitFor();
          const canvas = (await page.getByTestId("canvas").boundingBox())!;
          await page.locator('[data-palette="task"]').dragTo(
            page.getByTestId("canvas"),
            {
              targetPosition: { x: canvas.width - 260, y: 120 },
            },
          );
          await page.locator('[data-state="Task"]').waitFor();
          await dragHandle(page, "Hello", "Task");
          await dragHandle(page, "Task", "Done");
          await page.getByTestId("mode-split").click();
          const code = await codeText(page);
          assertStringIncludes(code, '"next": "Task"');
          assertStringIncludes(code, '"Task": {');
        },
      );

      await t.step(
        "edit the task in the inspector and see the code change",
        async () => {
          await page.locator('[data-state="Task"]').click();
          await page.getByTestId("inspector-name").fill("Fetch");
          await page.getByTestId("inspector-name").press("Enter");
          await page.getByTestId("inspector-timeout").fill("7");
          await page.getByTestId("inspector-timeout").press("Enter");
          await page.locator('[data-state="Fetch"]').waitFor();
          const code = await codeText(page);
          assertStringIncludes(code, '"Fetch": {');
          assertStringIncludes(code, '"timeout": 7');
          assertStringIncludes(code, '"next": "Fetch"');
          await shot(page, "studio_editor_split");
        },
      );

      await t.step("undo and redo walk the edits back and forth", async () => {
        await page.locator(".react-flow__pane").click({
          position: { x: 10, y: 10 },
        });
        await page.keyboard.press("Control+z"); // timeout
        await page.keyboard.press("Control+z"); // rename
        await page.locator('[data-state="Task"]').waitFor();
        assert(!(await codeText(page)).includes("Fetch"));
        await page.keyboard.press("Control+Shift+z");
        await page.keyboard.press("Control+Shift+z");
        await page.locator('[data-state="Fetch"]').waitFor();
        assertStringIncludes(await codeText(page), '"timeout": 7');
      });

      await t.step("edit the code and see the graph change", async () => {
        const dsl = {
          comment: "edited in code",
          entry: "Hello",
          states: {
            Hello: {
              type: "set",
              output: { expression: { n: "{% input.n + 1 %}" } },
              next: "Pause",
            },
            Pause: { type: "wait", seconds: 1, next: "Done" },
            Done: { type: "succeed" },
          },
        };
        await page.locator(".cm-content").click();
        await page.keyboard.press("Control+a");
        await page.keyboard.press("Delete");
        await page.locator(".cm-content").fill(JSON.stringify(dsl, null, 2));
        await page.locator('[data-state="Pause"]').waitFor();
        assertEquals(await page.locator('[data-state="Fetch"]').count(), 0);
      });

      await t.step(
        "drop onto an edge inserts; Ctrl+D duplicates; Delete re-links; box select",
        async () => {
          await page.getByTestId("layout").click();
          await page.waitForTimeout(150);
          const hello = (await page.locator('[data-state="Hello"]').boundingBox())!;
          const pause = (await page.locator('[data-state="Pause"]').boundingBox())!;
          const mid = {
            x: hello.x + hello.width / 2,
            y: (hello.y + hello.height + pause.y) / 2,
          };
          // Mouse-driven HTML5 drag: the drop point lies on the edge, which sits above the canvas.
          await page.locator('[data-palette="set"]').hover();
          await page.mouse.down();
          await page.mouse.move(mid.x, mid.y, { steps: 10 });
          await page.mouse.up();
          await page.locator('[data-state="Set"]').waitFor();
          let code = await codeText(page);
          assertStringIncludes(code, '"next": "Set"');
          assertStringIncludes(code, '"Set": {');
          await page.locator('[data-state="Set"]').click();
          await page.locator(".react-flow__pane").hover();
          await page.keyboard.press("Control+d");
          await page.locator('[data-state="SetCopy"]').waitFor();
          await page.keyboard.press("Delete");
          await page.locator('[data-state="SetCopy"]').waitFor({
            state: "detached",
          });
          await page.locator('[data-state="Set"]').click();
          await page.keyboard.press("Delete");
          await page.locator('[data-state="Set"]').waitFor({
            state: "detached",
          });
          code = await codeText(page);
          assertStringIncludes(code, '"next": "Pause"');
          // Shift + drag on the pane draws a selection box around Pause and Done.
          const p2 = (await page.locator('[data-state="Pause"]').boundingBox())!;
          const done = (await page.locator('[data-state="Done"]').boundingBox())!;
          await page.keyboard.down("Shift");
          await page.mouse.move(p2.x - 30, p2.y - 15);
          await page.mouse.down();
          await page.mouse.move(
            done.x + done.width + 30,
            done.y + done.height + 15,
            { steps: 8 },
          );
          await page.mouse.up();
          await page.keyboard.up("Shift");
          await page.getByTestId("workflow-settings").getByText(
            "2 states selected",
          ).waitFor();
          await page.keyboard.press("Escape");
        },
      );

      await t.step("create, then save a second version", async () => {
        await page.getByTestId("mode-design").click();
        await page.getByTestId("new-name").fill("studio-e2e");
        await page.getByTestId("save").click();
        await page.getByTestId("workflow-title").waitFor();
        assertStringIncludes(
          await page.getByTestId("workflow-title").innerText(),
          "v1",
        );
        await page.locator('[data-state="Pause"]').click();
        await page.getByTestId("wait-seconds").fill("2");
        await page.getByTestId("wait-seconds").press("Enter");
        await page.getByTestId("save").click();
        await page.getByTestId("workflow-title").getByText("v2").waitFor();
        const versions = await server.json<{ items: unknown[] }>(
          "GET",
          "/api/v1/templates/studio-e2e/versions",
        );
        assertEquals(versions.body.items.length, 2);
        const saved = await server.json<
          { dsl: { states: { Pause: { seconds: number } } } }
        >(
          "GET",
          "/api/v1/templates/studio-e2e",
        );
        assertEquals(saved.body.dsl.states.Pause.seconds, 2);
        await shot(page, "studio_editor_saved");
      });

      await t.step("run it and watch the execution turn green", async () => {
        await page.getByTestId("run").click();
        await page.getByTestId("run-input").fill('{"n": 41}');
        await page.getByTestId("run-start").click();
        await page.getByTestId("exec-status").waitFor();
        await page.locator('[data-state="Pause"].status-running').waitFor({
          timeout: 10_000,
        });
        await shot(page, "studio_execution_running");
        await page.getByTestId("exec-status").getByText("succeeded").waitFor({
          timeout: 20_000,
        });
        await page.locator('[data-state="Done"].status-succeeded').waitFor();
        assertEquals(await page.locator(".state.status-succeeded").count(), 3);
        await shot(page, "studio_execution_graph");
        await page.getByTestId("view-table").click();
        await page.getByTestId("runs-table").getByText("Pause").first()
          .waitFor();
        await shot(page, "studio_execution_table");
        await page.getByTestId("view-events").click();
        await page.getByTestId("events-table").getByText("ExecutionSucceeded")
          .waitFor();
      });

      await t.step("an invalid edit shows its error on the node", async () => {
        await page.goto(`${server.url}/studio/#/workflows/studio-e2e`);
        await page.locator('[data-state="Pause"]').click();
        await page.getByTestId("wait-mode").selectOption("timestamp");
        await page.getByTestId("wait-timestamp").fill("{% $now( %}");
        await page.getByTestId("wait-timestamp").press("Enter");
        await page.locator('[data-issues="Pause"]').waitFor({
          timeout: 10_000,
        });
        assertStringIncludes(
          await page.getByTestId("validity").innerText(),
          "error",
        );
        await shot(page, "studio_editor_error");
      });
      assertEquals(errors, []);
    } finally {
      await close();
    }
  },
});
