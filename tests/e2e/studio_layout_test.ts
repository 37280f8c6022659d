/**
 * Studio keeps the user's arrangement: a dragged state is where it was dropped after creating,
 * saving a version and reloading; undo/redo of the drag; each version opens with its own layout;
 * a layout stored through the API places states inside branches; Auto layout re-arranges all;
 * an execution's graph uses the layout of its version.
 * Screenshots go to tests/.out/ (git-ignored).
 */
import type { Page } from "playwright-core";
import { assert, assertEquals } from "../helpers/assert.ts";
import { browserAvailable, pageErrors, shot, signIn, startStudio } from "./studio_browser.ts";

interface Xy {
  x: number;
  y: number;
}

/** The React Flow wrapper of a state: its transform is its position on the canvas (flow units). */
const wrapper = (page: Page, state: string) =>
  page.locator(`.react-flow__node:has(> [data-state="${state}"])`);

async function flowPos(page: Page, state: string): Promise<Xy> {
  const t = await wrapper(page, state).evaluate((el) => (el as HTMLElement).style.transform);
  const m = /translate\(\s*(-?[\d.]+)px,\s*(-?[\d.]+)px\)/.exec(t);
  if (!m) throw new Error(`no position on ${state}: '${t}'`);
  return { x: Number(m[1]), y: Number(m[2]) };
}

function near(a: Xy, b: Xy, tolerance: number): boolean {
  return Math.abs(a.x - b.x) <= tolerance && Math.abs(a.y - b.y) <= tolerance;
}

function assertNear(actual: Xy, expected: Xy, what: string, tolerance = 2) {
  assert(
    near(actual, expected, tolerance),
    `${what}: at ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`,
  );
}

/** Waits (up to 3 s) for a state to be at a position within 2 units, then asserts it. */
async function expectAt(page: Page, state: string, expected: Xy, what: string) {
  for (let i = 0; i < 30 && !near(await flowPos(page, state), expected, 2); i++) {
    await page.waitForTimeout(100);
  }
  assertNear(await flowPos(page, state), expected, what);
}

/**
 * Waits until the states are on screen and the viewport stopped moving (the editor fits the
 * view shortly after it opens); returns the zoom.
 */
async function settled(page: Page, states: string[]): Promise<number> {
  for (const s of states) await page.locator(`[data-state="${s}"]`).waitFor();
  const viewport = page.locator(".react-flow__viewport");
  let last = "";
  for (let i = 0; i < 50; i++) {
    const now = await viewport.evaluate((el) => (el as HTMLElement).style.transform);
    if (now && now === last) {
      const zoom = /scale\(([\d.]+)\)/.exec(now);
      return zoom ? Number(zoom[1]) : 1;
    }
    last = now;
    await page.waitForTimeout(120);
  }
  throw new Error("the canvas did not settle");
}

/**
 * Drags a state by (dx, dy) screen pixels and checks it followed the pointer; returns where it
 * was dropped in flow units. React Flow starts a drag on the first move past its threshold and
 * follows the pointer from there, so a small first step starts it.
 */
async function dragBy(page: Page, state: string, d: Xy, zoom: number): Promise<Xy> {
  const before = await flowPos(page, state);
  const box = (await page.locator(`[data-state="${state}"]`).boundingBox())!;
  const from = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 2, from.y + 2);
  await page.mouse.move(from.x + d.x / 2, from.y + d.y / 2, { steps: 6 });
  await page.mouse.move(from.x + d.x, from.y + d.y, { steps: 6 });
  await page.mouse.up();
  const dropped = await flowPos(page, state);
  assertNear(
    dropped,
    { x: before.x + (d.x - 2) / zoom, y: before.y + (d.y - 2) / zoom },
    `${state} dropped`,
    3,
  );
  return dropped;
}

const branchy = {
  entry: "Hello",
  states: {
    Hello: { type: "set", output: { expression: { n: 1 } }, next: "Fan" },
    Fan: {
      type: "parallel",
      branches: [
        { entry: "B1", states: { B1: { type: "set", output: { expression: { b: 1 } }, end: true } } },
        {
          entry: "C1",
          states: {
            C1: { type: "set", output: { expression: { c: 1 } }, next: "C2" },
            C2: { type: "succeed" },
          },
        },
      ],
      next: "Done",
    },
    Done: { type: "succeed" },
  },
};

Deno.test({
  name: "Studio: dragged states stay where they were dropped after save and reopen, per version",
  ignore: !browserAvailable,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { server, browser, ok, close } = await startStudio();
    try {
      const page = await signIn(browser, server.url, server.token);
      const errors = pageErrors(page);
      let autoHello: Xy, autoDone: Xy, doneV1: Xy, helloV2: Xy;

      await t.step("create: the dragged state reopens where it was dropped", async () => {
        await page.goto(`${server.url}/studio/#/workflows/new`);
        const zoom = await settled(page, ["Hello", "Done"]);
        autoHello = await flowPos(page, "Hello");
        autoDone = await flowPos(page, "Done");
        doneV1 = await dragBy(page, "Done", { x: 320, y: 60 }, zoom);
        await page.getByTestId("new-name").fill("layout-e2e");
        await page.getByTestId("save").click();
        await page.getByTestId("workflow-title").getByText("v1").waitFor();
        await settled(page, ["Hello", "Done"]);
        await expectAt(page, "Done", doneV1, "Done after create");
        await expectAt(page, "Hello", autoHello, "Hello after create");
        const saved = await ok<{ layout: Record<string, Xy> }>("GET", "/api/v1/templates/layout-e2e");
        assertEquals(Object.keys(saved.layout).sort(), ["Done", "Hello"]);
        assertNear(saved.layout.Done, doneV1, "Done as stored");
      });

      await t.step("undo and redo the drag, save a version, reload the page", async () => {
        const zoom = await settled(page, ["Hello", "Done"]);
        helloV2 = await dragBy(page, "Hello", { x: -260, y: 40 }, zoom);
        await page.locator(".react-flow__pane").click({ position: { x: 10, y: 10 } });
        await page.keyboard.press("Control+z");
        await expectAt(page, "Hello", autoHello, "Hello after undo");
        await page.keyboard.press("Control+Shift+z");
        await expectAt(page, "Hello", helloV2, "Hello after redo");
        await page.getByTestId("save").click();
        await page.getByTestId("workflow-title").getByText("v2").waitFor();
        await page.reload();
        await settled(page, ["Hello", "Done"]);
        await page.getByTestId("workflow-title").getByText("v2").waitFor();
        await expectAt(page, "Hello", helloV2, "Hello after reload");
        await expectAt(page, "Done", doneV1, "Done after reload");
        await shot(page, "studio_layout_reopened");
      });

      await t.step("version 1 opens with its own layout; Auto layout re-arranges everything", async () => {
        await page.getByTestId("versions").selectOption("1");
        await page.getByTestId("workflow-title").getByText("v1").waitFor();
        await settled(page, ["Hello", "Done"]);
        await expectAt(page, "Hello", autoHello, "Hello in v1");
        await expectAt(page, "Done", doneV1, "Done in v1");
        await page.getByTestId("layout").click();
        await expectAt(page, "Done", autoDone, "Done after Auto layout");
        await expectAt(page, "Hello", autoHello, "Hello after Auto layout");
      });

      await t.step("a layout stored through the API places states inside branches", async () => {
        // Only branch 2 is placed: its states keep their spacing; the rest is laid out around them.
        await ok("POST", "/api/v1/templates", {
          name: "branchy",
          dsl: branchy,
          layout: { "Fan/branch[1]/C1": { x: 20, y: 20 }, "Fan/branch[1]/C2": { x: 140, y: 160 } },
        });
        await page.goto(`${server.url}/studio/#/workflows/branchy`);
        const zoom = await settled(page, ["Hello", "Fan", "B1", "C1", "C2", "Done"]);
        const c1 = await flowPos(page, "C1");
        await expectAt(page, "C2", { x: c1.x + 120, y: c1.y + 140 }, "C2 relative to C1");
        const hello = await flowPos(page, "Hello");
        const done = await flowPos(page, "Done");
        assert(done.y > hello.y + 100, "the unplaced root states are laid out top to bottom");
        const b1 = await dragBy(page, "B1", { x: 0, y: 50 }, zoom);
        await page.getByTestId("save").click();
        await page.getByTestId("workflow-title").getByText("v2").waitFor();
        await page.reload();
        await settled(page, ["B1", "C1", "C2"]);
        await expectAt(page, "B1", b1, "B1 after reload");
        await expectAt(page, "C1", c1, "C1 after reload");
        const saved = await ok<{ layout: Record<string, Xy> }>("GET", "/api/v1/templates/branchy");
        assertEquals(Object.keys(saved.layout).sort(), [
          "Done",
          "Fan",
          "Fan/branch[0]/B1",
          "Fan/branch[1]/C1",
          "Fan/branch[1]/C2",
          "Hello",
        ]);
        await shot(page, "studio_layout_branches");
      });

      await t.step("an execution's graph shows its version's layout", async () => {
        const b1 = await flowPos(page, "B1");
        const c1 = await flowPos(page, "C1");
        const x = await ok<{ id: string; status: string }>("POST", "/api/v1/templates/branchy/executions", {
          mode: "sync",
        });
        assertEquals(x.status, "succeeded");
        await page.goto(`${server.url}/studio/#/executions/${x.id}`);
        await settled(page, ["Hello", "B1", "C1", "C2", "Done"]);
        await page.locator('[data-state="Done"].status-succeeded').waitFor();
        await expectAt(page, "B1", b1, "B1 in the execution graph");
        await expectAt(page, "C1", c1, "C1 in the execution graph");
      });
      assertEquals(errors, []);
    } finally {
      await close();
    }
  },
});
