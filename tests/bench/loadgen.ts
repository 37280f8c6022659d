/**
 * A separate load-generator process for HTTP throughput entries: N concurrent keep-alive
 * fetch loops POSTing one JSON body, so the client's CPU is not the server's event loop.
 * `deno run -A tests/bench/loadgen.ts URL TOKEN TOTAL CONCURRENCY BODY_JSON` (BODY_JSON `-`: GET) prints
 * `{"ops": n, "seconds": s, "opsPerSec": r, "errors": e}` on stdout.
 */
const [url, token, totalArg, concArg, body] = Deno.args;
if (!url || !token || !body) {
  console.error("usage: loadgen.ts URL TOKEN TOTAL CONCURRENCY BODY_JSON");
  Deno.exit(2);
}
const total = Number(totalArg);
const concurrency = Number(concArg);
const get = body === "-";
const headers: Record<string, string> = { authorization: `Bearer ${token}` };
if (!get) headers["content-type"] = "application/json";
let next = 0;
let errors = 0;
let firstError = "";
const t0 = performance.now();
await Promise.all(Array.from({ length: concurrency }, async () => {
  while (next++ < total) {
    const res = await fetch(url, get ? { headers } : { method: "POST", headers, body });
    const text = await res.text();
    if (res.status >= 300) {
      errors++;
      firstError ||= `HTTP ${res.status}: ${text.slice(0, 300)}`;
    }
  }
}));
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ ops: total, seconds, opsPerSec: total / seconds, errors, firstError }));
