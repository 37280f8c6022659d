import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import { byLabel, overview, parsePrometheus, quantile, total } from "./metrics_parse.ts";

const TEXT = `# HELP aionix_http_requests_total HTTP requests by route and status
# TYPE aionix_http_requests_total counter
aionix_http_requests_total{method="GET",route="/api/v1/functions",status="200"} 8
aionix_http_requests_total{method="POST",route="/api/v1/functions/:name/invoke",status="200"} 3
aionix_http_requests_total{method="POST",route="/api/v1/functions/:name/invoke",status="500"} 1
aionix_http_request_duration_seconds_bucket{method="GET",route="/api/v1/functions",status="200",le="0.01"} 6
aionix_http_request_duration_seconds_bucket{method="GET",route="/api/v1/functions",status="200",le="0.1"} 8
aionix_http_request_duration_seconds_bucket{method="GET",route="/api/v1/functions",status="200",le="+Inf"} 8
aionix_http_request_duration_seconds_bucket{method="POST",route="/api/v1/functions/:name/invoke",status="200",le="0.01"} 0
aionix_http_request_duration_seconds_bucket{method="POST",route="/api/v1/functions/:name/invoke",status="200",le="0.1"} 2
aionix_http_request_duration_seconds_bucket{method="POST",route="/api/v1/functions/:name/invoke",status="200",le="+Inf"} 4
aionix_http_request_duration_seconds_sum{method="GET",route="/api/v1/functions",status="200"} 0.08
aionix_http_request_duration_seconds_count{method="GET",route="/api/v1/functions",status="200"} 8
aionix_http_request_duration_seconds_sum{method="POST",route="/api/v1/functions/:name/invoke",status="200"} 0.8
aionix_http_request_duration_seconds_count{method="POST",route="/api/v1/functions/:name/invoke",status="200"} 4
aionix_stepflow_executions_total{status="succeeded",kind="durable"} 5
aionix_stepflow_executions_total{status="succeeded",kind="express"} 2
aionix_stepflow_executions_total{status="failed",kind="durable"} 1
aionix_stepflow_executions_running{kind="durable"} 2
aionix_fn_invocations_total{tenant="default",function="double",version="$LATEST"} 3
aionix_fn_invocations_total{tenant="default",function="double",version="1"} 2
aionix_fn_errors_total{tenant="default",function="double",version="1",error_type="TypeError"} 1
aionix_fn_duration_seconds_sum{tenant="default",function="double",version="1"} 0.1
aionix_fn_duration_seconds_count{tenant="default",function="double",version="1"} 5
aionix_igniter_fires_total{type="webhook"} 4
aionix_igniter_fires_total{type="schedule"} 1
aionix_igniter_deliveries_total{outcome="dispatched"} 5
aionix_weird{path="a}b \\"q\\"",x="1"} 7
aionix_process_resident_memory_bytes 1048576
`;

Deno.test("parsePrometheus reads names, labels (quoted braces and escapes) and values; skips comments", () => {
  const s = parsePrometheus(TEXT);
  assertEquals(s.filter((x) => x.name.startsWith("#")).length, 0);
  const weird = s.find((x) => x.name === "aionix_weird")!;
  assertEquals(weird.labels, { path: 'a}b "q"', x: "1" });
  assertEquals(weird.value, 7);
  assertEquals(total(s, "aionix_http_requests_total"), 12);
  assertEquals(total(s, "aionix_http_requests_total", { status: "500" }), 1);
  assertEquals(byLabel(s, "aionix_stepflow_executions_total", "status"), { succeeded: 7, failed: 1 });
});

Deno.test("quantile interpolates inside the bucket over every series of the histogram", () => {
  const s = parsePrometheus(TEXT);
  // 12 observations: 6 ≤ 10 ms, 10 ≤ 100 ms, 12 ≤ +Inf
  assertEquals(quantile(s, "aionix_http_request_duration_seconds", 0.5), 0.01);
  const p75 = quantile(s, "aionix_http_request_duration_seconds", 0.75)!;
  assert(Math.abs(p75 - (0.01 + 0.09 * 0.75)) < 1e-9, String(p75));
  assertEquals(
    quantile(s, "aionix_http_request_duration_seconds", 0.99),
    0.1,
    "+Inf bucket → last finite bound",
  );
  assertEquals(quantile(s, "nope", 0.5), undefined);
});

Deno.test("overview groups executions, functions, trigger fires and HTTP routes", () => {
  const o = overview(parsePrometheus(TEXT));
  assertEquals(o.executions, { succeeded: 7, failed: 1 });
  assertEquals(o.executionsRunning, 2);
  assertEquals(o.functions.length, 1);
  assertEquals(o.functions[0].function, "double");
  assertEquals(o.functions[0].invocations, 5);
  assertEquals(o.functions[0].errors, 1);
  assert(Math.abs(o.functions[0].avgMs - 20) < 1e-9);
  assertEquals(o.fires, { webhook: 4, schedule: 1 });
  assertEquals(o.deliveries, { dispatched: 5 });
  assertEquals(o.http.requests, 12);
  assertEquals(o.http.byClass, { "2xx": 11, "5xx": 1 });
  assert(Math.abs(o.http.avgMs! - 880 / 12) < 1e-9);
  assertEquals(o.http.routes[0].route, "/api/v1/functions");
  assertEquals(o.http.routes[1].errors, 1);
  assertEquals(o.process.rssBytes, 1048576);
});
