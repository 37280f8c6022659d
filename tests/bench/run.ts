/**
 * `deno task bench [suite...]`: runs every suite in tests/bench/suites (or the named ones) and
 * prints a table. Each suite starts its own server/data so suites do not disturb each other.
 */
import { BenchContext, type Measurement, percentile, type Suite } from "./lib.ts";

const dir = new URL("./suites/", import.meta.url);
const wanted = new Set(Deno.args);
const names: string[] = [];
for await (const entry of Deno.readDir(dir)) {
  if (entry.isFile && entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
    const name = entry.name.replace(/\.ts$/, "");
    if (!wanted.size || wanted.has(name)) names.push(name);
  }
}
names.sort();

const results: Measurement[] = [];
for (const name of names) {
  const mod = await import(new URL(name + ".ts", dir).href) as { default: Suite };
  const ctx = new BenchContext(name);
  const t0 = performance.now();
  try {
    await mod.default(ctx);
  } catch (err) {
    console.error(`suite ${name} failed: ${(err as Error).stack ?? err}`);
  }
  results.push(...ctx.results);
  console.error(
    `suite ${name}: ${ctx.results.length} entries in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

const fmt = (n: number | undefined) =>
  n === undefined || Number.isNaN(n) ? "-" : n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toFixed(3);
const cpu = (() => {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    return /model name\s*:\s*(.+)/.exec(info)?.[1]?.trim() ?? "unknown cpu";
  } catch {
    return "unknown cpu";
  }
})();
console.log(
  `machine: ${navigator.hardwareConcurrency} cores, ${cpu}, ${Deno.build.os}/${Deno.build.arch}, deno ${Deno.version.deno}`,
);
console.log("| suite | benchmark | n | p50 ms | p95 ms | p99 ms | ops/s | value | target |");
console.log("|---|---|---|---|---|---|---|---|---|");
for (const m of results) {
  console.log(
    `| ${m.suite} | ${m.name} | ${m.samples.length || "-"} | ${fmt(percentile(m.samples, 50))} | ${
      fmt(percentile(m.samples, 95))
    } | ${fmt(percentile(m.samples, 99))} | ${m.opsPerSec ? m.opsPerSec.toFixed(0) : "-"} | ${
      m.value ?? "-"
    } | ${m.target ?? "-"} |`,
  );
}
