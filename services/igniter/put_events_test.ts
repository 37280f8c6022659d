import fc from "fast-check";
import { assert, assertEquals, assertThrows } from "../../tests/helpers/assert.ts";
import { ValidationError } from "../../runtime/errors.ts";
import { zodIssues } from "../../runtime/http/problem.ts";
import { parsePutEvents } from "./put_events.ts";
import { PutEventsSchema } from "./schemas.ts";

const field = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom("", "a".repeat(257), "x y", "ok-1", "2026-05-01T10:00:00Z", "2026-05-01T10:00:00+02:00"),
  fc.constantFrom("2026-13-01T00:00:00Z", "yesterday"),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);
const keys = fc.constantFrom(
  "source",
  "detail-type",
  "detailType",
  "detail",
  "time",
  "id",
  "resources",
  "eventBus",
  "version",
  "account",
  "region",
  "colour",
  "__proto__",
);
const entry = fc.oneof(
  fc.dictionary(keys, field, { maxKeys: 5 }),
  fc.record({ source: fc.string({ minLength: 1, maxLength: 8 }) }, { requiredKeys: ["source"] }),
  fc.constant(null),
  fc.integer(),
);
const body = fc.oneof(
  fc.array(entry, { maxLength: 3 }),
  fc.record({ entries: fc.array(entry, { maxLength: 3 }) }),
  fc.record({ entries: fc.array(entry, { maxLength: 2 }), extra: fc.integer() }),
  field,
);

Deno.test("parsePutEvents accepts exactly the bodies PutEventsSchema accepts, with zod's error paths", () => {
  fc.assert(
    fc.property(body, (raw) => {
      const b = JSON.parse(JSON.stringify(raw ?? null));
      const zod = PutEventsSchema.safeParse(b);
      let fast: unknown;
      let error: ValidationError | undefined;
      try {
        fast = parsePutEvents(b);
      } catch (err) {
        assert(err instanceof ValidationError, String(err));
        error = err;
      }
      assertEquals(error === undefined, zod.success, JSON.stringify(b));
      if (zod.success) assertEquals(fast, (zod.data as { entries: unknown[] }).entries);
      else assertEquals(error!.errors, zodIssues(zod.error, ""));
    }),
    { numRuns: 2000, seed: 7 },
  );
});

Deno.test("parsePutEvents names the bad field of the bad entry", () => {
  const err = assertThrows(
    () => parsePutEvents({ entries: [{ source: "a" }, { source: "b", time: "soon" }] }),
    ValidationError,
  );
  assertEquals(err.errors[0].path, "/entries/1/time");
  const tooMany = assertThrows(
    () => parsePutEvents(Array.from({ length: 1001 }, () => ({ source: "a" }))),
    ValidationError,
  );
  assertEquals(tooMany.errors[0].path, "/entries");
});
