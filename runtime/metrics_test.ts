import { assertEquals, assertStringIncludes } from "../tests/helpers/assert.ts";
import { createMetrics } from "./metrics.ts";

Deno.test("metrics recorded before prom-client loads are replayed in order at the first scrape", async () => {
  const metrics = createMetrics({ processMetrics: false });
  const jobs = metrics.counter("aionix_test_jobs_total", "jobs", ["kind"]);
  const depth = metrics.gauge("aionix_test_depth", "depth", []);
  jobs.inc({ kind: "a" });
  jobs.inc({ kind: "a" }, 2);
  depth.set(5);
  depth.dec();
  const { text, contentType } = await metrics.render();
  assertStringIncludes(contentType, "text/plain");
  assertStringIncludes(text, 'aionix_test_jobs_total{kind="a"} 3');
  assertStringIncludes(text, "aionix_test_depth 4");
  // After loading, updates go straight to prom-client; late declarations work too.
  jobs.inc({ kind: "b" });
  metrics.histogram("aionix_test_seconds", "latency", ["op"]).observe({ op: "x" }, 0.002);
  const after = (await metrics.render()).text;
  assertStringIncludes(after, 'aionix_test_jobs_total{kind="b"} 1');
  assertStringIncludes(after, 'aionix_test_seconds_count{op="x"} 1');
});

Deno.test("2,000 queued updates start loading prom-client without a scrape; none is lost", async () => {
  const metrics = createMetrics({ processMetrics: false });
  const hits = metrics.counter("aionix_test_hits_total", "hits", []);
  for (let i = 0; i < 1_999; i++) hits.inc();
  await new Promise((r) => setTimeout(r, 200));
  assertEquals(metrics.isLoaded(), false, "1,999 queued updates do not load prom-client");
  hits.inc(); // the 2,000th queued update starts the load
  for (let i = 0; i < 500; i++) hits.inc(); // queued while loading
  for (let i = 0; i < 200 && !metrics.isLoaded(); i++) await new Promise((r) => setTimeout(r, 10));
  assertEquals(metrics.isLoaded(), true, "prom-client loaded without a scrape");
  assertStringIncludes((await metrics.render()).text, "aionix_test_hits_total 2500");
});
