/**
 * Posts random bodies, params and queries to every route in /api/openapi.json on a real
 * server and asserts that nothing answers 5xx: every bad input must be a clear 4xx.
 */
import fc from "fast-check";
import { assertEquals } from "../helpers/assert.ts";
import { startServer } from "../helpers/server.ts";

const BODIES_PER_ROUTE = Number(Deno.env.get("FUZZ_BODIES") ?? 12);

const jsonBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.dictionary(
    fc.constantFrom(
      "name",
      "dsl",
      "input",
      "value",
      "type",
      "path",
      "runtime",
      "code",
      "config",
      "kind",
      "data",
    ),
    fc.jsonValue({ maxDepth: 2 }),
  ).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 40 }), // not JSON at all
);
const segment = fc.oneof(
  fc.stringMatching(/^[a-z0-9-]{1,12}$/),
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.constantFrom("trn:stepflow:default:template/x", "..", "%00", "a".repeat(300)),
);

Deno.test("no route answers 5xx to random bodies, params or queries", async () => {
  const server = await startServer();
  const failures: string[] = [];
  let requests = 0;
  try {
    const doc = await fetch(`${server.url}/api/openapi.json`).then((r) => r.json());
    const routes: { method: string; path: string }[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(ops)) routes.push({ method: method.toUpperCase(), path });
    }
    const samples = fc.sample(fc.tuple(jsonBody, segment, segment, fc.string({ maxLength: 20 })), {
      numRuns: BODIES_PER_ROUTE,
      seed: 42,
    });
    for (const route of routes) {
      for (const [body, p1, p2, q] of samples) {
        let n = 0;
        const path = route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(n++ % 2 ? p2 : p1));
        const url = `${path}?limit=${encodeURIComponent(q)}&status=${encodeURIComponent(q)}`;
        const hasBody = !["GET", "HEAD", "DELETE"].includes(route.method);
        const res = await server.api(route.method, url, hasBody ? body : undefined, {
          ...(hasBody ? { "content-type": "application/json" } : {}),
        }).catch((err) => ({ status: 0, err, body: null, text: () => Promise.resolve(String(err)) }));
        requests++;
        const text = await (res as Response).text().catch(() => "");
        if (res.status >= 500 || res.status === 0) {
          failures.push(
            `${route.method} ${url} body=${body.slice(0, 80)} → ${res.status} ${text.slice(0, 200)}`,
          );
        }
      }
    }
  } finally {
    await server.stop();
  }
  console.log(`fuzzed ${requests} requests`);
  assertEquals(failures.slice(0, 20), [], `${failures.length} requests answered 5xx`);
});
