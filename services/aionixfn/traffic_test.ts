import { assert, assertEquals, assertThrows } from "../../tests/helpers/assert.ts";
import { ValidationError } from "../../runtime/errors.ts";
import { checkWeights, pickVersion } from "./traffic.ts";

function split(weights: Record<string, number>, n = 10_000) {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const v = pickVersion("x", weights);
    counts[v] = (counts[v] ?? 0) + 1;
  }
  return counts;
}

Deno.test("pickVersion honours weights within ±2% over 10,000 invocations", () => {
  const cases: Record<string, number>[] = [{ "3": 0.9, "4": 0.1 }, { "1": 0.5, "2": 0.5 }, {
    "7": 0.75,
    "8": 0.25,
  }];
  for (const weights of cases) {
    const counts = split(weights);
    for (const [version, share] of Object.entries(weights)) {
      const observed = (counts[version] ?? 0) / 10_000;
      assert(Math.abs(observed - share) <= 0.02, `version ${version}: ${observed} vs ${share}`);
    }
    assertEquals(Object.values(counts).reduce((a, b) => a + b, 0), 10_000);
  }
});

Deno.test("pickVersion without weights sends everything to the primary version", () => {
  assertEquals(pickVersion("x", {}), "x");
  for (let i = 0; i < 100; i++) assertEquals(pickVersion("5", null), "5");
});

Deno.test("pickVersion maps the random number onto cumulative shares", () => {
  const w = { "3": 0.9, "4": 0.1 };
  assertEquals(pickVersion("3", w, 0), "3");
  assertEquals(pickVersion("3", w, 0.8999), "3");
  assertEquals(pickVersion("3", w, 0.9), "4");
  assertEquals(pickVersion("3", w, 0.99999), "4");
});

Deno.test("checkWeights accepts one or two versions summing to 1 and names the primary", () => {
  assertEquals(checkWeights({ "3": 0.9, "4": 0.1 }), { primary: "3", weights: { "3": 0.9, "4": 0.1 } });
  assertEquals(checkWeights({ "4": 0.2, "3": 0.8 }), { primary: "3", weights: { "3": 0.8, "4": 0.2 } });
  assertEquals(checkWeights({ "3": 1 }), { primary: "3", weights: null });
  assertEquals(checkWeights({ "3": 1, "4": 0 }), { primary: "3", weights: null });
});

Deno.test("checkWeights rejects three versions, no versions and shares not summing to 1", () => {
  assertThrows(
    () => checkWeights({ "1": 0.5, "2": 0.25, "3": 0.25 }),
    ValidationError,
    "one or two versions",
  );
  assertThrows(() => checkWeights({}), ValidationError, "one or two versions");
  assertThrows(() => checkWeights({ "1": 0.5, "2": 0.4 }), ValidationError, "sum to 1");
});
