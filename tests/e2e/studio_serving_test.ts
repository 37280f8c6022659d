/**
 * /studio/ static serving: content types, cache headers, CSP, SPA fallback, traversal refusal,
 * and a clear 503 when studio/dist has not been built. Uses a temporary dist directory.
 */
import { assert, assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { inProcess } from "../helpers/inprocess.ts";
import { createStudioService } from "../../services/studio/mod.ts";

async function fakeDist(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "studio-dist-" });
  await Deno.mkdir(`${dir}/assets`);
  await Deno.writeTextFile(`${dir}/index.html`, "<!doctype html><div id=root></div>");
  await Deno.writeTextFile(`${dir}/assets/app-abc123.js`, "console.log(1)");
  await Deno.writeTextFile(`${dir}/assets/app-abc123.css`, "body{}");
  return dir;
}

Deno.test("GET /studio/ serves index.html with no-cache and a self-only CSP", async () => {
  const dist = await fakeDist();
  const app = await inProcess({ services: [createStudioService], env: { AIONIX_STUDIO_DIST: dist } });
  try {
    const res = await app.request("GET", "/studio/", undefined, { authorization: "" });
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "text/html; charset=utf-8");
    assertEquals(res.headers.get("cache-control"), "no-cache");
    assertStringIncludes(res.headers.get("content-security-policy")!, "default-src 'self'");
    assertStringIncludes(await res.text(), "id=root");
    const redirect = await app.request("GET", "/studio");
    assertEquals(redirect.status, 301);
    assertEquals(redirect.headers.get("location"), "/studio/");
  } finally {
    await app.close();
  }
});

Deno.test("hashed assets are served with their content type and an immutable cache", async () => {
  const dist = await fakeDist();
  const app = await inProcess({ services: [createStudioService], env: { AIONIX_STUDIO_DIST: dist } });
  try {
    const js = await app.request("GET", "/studio/assets/app-abc123.js");
    assertEquals(js.headers.get("content-type"), "text/javascript; charset=utf-8");
    assertEquals(js.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assertEquals(await js.text(), "console.log(1)");
    const css = await app.request("GET", "/studio/assets/app-abc123.css");
    assertEquals(css.headers.get("content-type"), "text/css; charset=utf-8");
    await css.body?.cancel();
  } finally {
    await app.close();
  }
});

Deno.test("client-side routes fall back to index.html; a missing asset is a 404 problem", async () => {
  const dist = await fakeDist();
  const app = await inProcess({ services: [createStudioService], env: { AIONIX_STUDIO_DIST: dist } });
  try {
    const spa = await app.request("GET", "/studio/workflows/orders");
    assertEquals(spa.status, 200);
    assertStringIncludes(await spa.text(), "id=root");
    const missing = await app.request("GET", "/studio/assets/nope.js");
    assertEquals(missing.status, 404);
    assertEquals(missing.headers.get("content-type"), "application/problem+json");
    assertStringIncludes((await missing.json()).detail, "nope.js");
  } finally {
    await app.close();
  }
});

Deno.test("paths escaping the dist directory are never served", async () => {
  const dist = await fakeDist();
  await Deno.writeTextFile(`${dist}/../studio-secret.txt`, "secret").catch(() => {});
  const app = await inProcess({ services: [createStudioService], env: { AIONIX_STUDIO_DIST: dist } });
  try {
    for (
      const path of [
        "/studio/%2e%2e/studio-secret.txt",
        "/studio/..%2fstudio-secret.txt",
        "/studio/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
      ]
    ) {
      const res = await app.request("GET", path);
      const body = await res.text();
      assert(body !== "secret" && !body.includes("root:x:"), `${path} leaked: ${body.slice(0, 80)}`);
    }
  } finally {
    await app.close();
  }
});

Deno.test("without a build, /studio/ answers 503 telling to run deno task studio:build", async () => {
  const empty = await Deno.makeTempDir({ prefix: "studio-none-" });
  const app = await inProcess({
    services: [createStudioService],
    env: { AIONIX_STUDIO_DIST: `${empty}/dist` },
  });
  try {
    const res = await app.request("GET", "/studio/");
    assertEquals(res.status, 503);
    const problem = await res.json();
    assertStringIncludes(problem.detail, "deno task studio:build");
  } finally {
    await app.close();
  }
});
