/**
 * Studio in headless chromium against the real server: time to interactive when opening a
 * 200-state workflow (navigation → every state rendered and the next frame painted), frame
 * times while dragging a state on that canvas, and the bundle size (gzip) of studio/dist.
 */
import type { BenchContext } from "../lib.ts";
import { startServer } from "../../helpers/server.ts";
import { ensureStudioBuilt, launch, signIn } from "../../e2e/studio_browser.ts";
import { bigWorkflow } from "../../../studio/src/model/testdata/big.ts";

const DIST = new URL("../../../studio/dist/", import.meta.url);

async function gzipSize(bytes: Uint8Array): Promise<number> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

async function bundleSize(ctx: BenchContext) {
  let raw = 0;
  let gz = 0;
  for await (const e of Deno.readDir(new URL("assets/", DIST))) {
    if (!/\.(js|css)$/.test(e.name)) continue;
    const bytes = await Deno.readFile(new URL(`assets/${e.name}`, DIST));
    raw += bytes.byteLength;
    gz += await gzipSize(bytes);
  }
  ctx.record("bundle size js+css (gzip)", [], {
    value: `${(gz / 1024).toFixed(0)} KiB (raw ${(raw / 1024).toFixed(0)} KiB)`,
  });
}

export default async function studio(ctx: BenchContext) {
  await ensureStudioBuilt();
  await bundleSize(ctx);
  const server = await startServer();
  const browser = await launch();
  try {
    const dsl = bigWorkflow(200);
    const created = await server.json("POST", "/api/v1/templates", {
      name: "bench-200",
      dsl,
    });
    if (created.status !== 201) {
      throw new Error(
        `could not create the 200-state template: ${JSON.stringify(created.body)}`,
      );
    }
    const states = Object.keys(dsl.states).length + 12; // nested branch/processor states
    const page = await signIn(browser, server.url, server.token);

    const opens: number[] = [];
    for (let i = 0; i < 8; i++) {
      await page.evaluate(() => (location.hash = "#/workflows"));
      await page.locator("[data-template]").first().waitFor();
      const ms = await page.evaluate((n) =>
        new Promise<number>((resolve) => {
          const t0 = performance.now();
          location.hash = "#/workflows/bench-200";
          const check = () => {
            if (document.querySelectorAll("[data-state]").length >= n) {
              requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0)));
            } else requestAnimationFrame(check);
          };
          check();
        }), states);
      if (i > 0) opens.push(ms); // the first open also loads code chunks and warms the JIT
    }
    ctx.record("open 200-state workflow: time to interactive", opens, {
      target: "≤ 1000 ms",
    });

    // Drag one state for ~1.5 s while recording the interval between animation frames.
    const node = page.locator('[data-state="Step100"]');
    await node.scrollIntoViewIfNeeded();
    const box = (await node.boundingBox())!;
    await page.evaluate(() => {
      const w = window as unknown as { __frames: number[]; __stop: boolean };
      w.__frames = [];
      w.__stop = false;
      let last = performance.now();
      const tick = (now: number) => {
        w.__frames.push(now - last);
        last = now;
        if (!w.__stop) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    for (let i = 0; i < 90; i++) {
      await page.mouse.move(
        box.x + box.width / 2 + i * 3,
        box.y + box.height / 2 + Math.sin(i / 6) * 40,
      );
      await page.waitForTimeout(16);
    }
    await page.mouse.up();
    const frames = await page.evaluate(() => {
      const w = window as unknown as { __frames: number[]; __stop: boolean };
      w.__stop = true;
      return w.__frames.slice(2);
    });
    const after = (await node.boundingBox())!;
    if (Math.abs(after.x - box.x) < 50) {
      throw new Error("the drag did not move the state; frame times would be meaningless");
    }
    await page.screenshot({ path: new URL("../../.out/bench_studio_200.png", import.meta.url).pathname });
    const mean = frames.reduce((a, b) => a + b, 0) / frames.length;
    ctx.record("drag a state on the 200-state canvas: frame time", frames, {
      value: `${(1000 / mean).toFixed(0)} fps`,
      target: "≥ 50 fps (≤ 20 ms)",
    });
  } finally {
    await browser.close();
    await server.stop();
  }
}
