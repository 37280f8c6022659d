import { assert, assertEquals, assertThrows } from "../../tests/helpers/assert.ts";
import fc from "fast-check";
import { ValidationError } from "../../runtime/errors.ts";
import { compilePattern, matchesPattern } from "./pattern.ts";

const EVENT = {
  version: "0",
  id: "e-1",
  source: "com.shop.orders",
  "detail-type": "Order Placed",
  account: "default",
  time: "2026-03-01T10:00:00Z",
  region: "local",
  resources: ["trn:stepflow:default:template/checkout", "arn:aws:s3:::bucket"],
  detail: {
    orderId: "ord-123",
    status: "PAID",
    amount: 42.5,
    quantity: 3,
    country: "DE",
    file: "photos/cat.png",
    sourceIp: "10.0.12.7",
    clientIp6: "2001:db8::17",
    coupon: null,
    flags: ["gift", "express"],
    items: [{ sku: "a-1", price: 10 }, { sku: "b-2", price: 32.5 }],
    customer: { tier: "gold", email: "Ann@Example.COM" },
  },
};

const CASES: Array<[string, unknown, boolean]> = [
  ["exact string", { source: ["com.shop.orders"] }, true],
  ["exact string mismatch", { source: ["com.shop.billing"] }, false],
  ["array is OR", { source: ["x", "com.shop.orders"] }, true],
  ["exact number matches numerically", { detail: { quantity: [3] } }, true],
  ["exact null", { detail: { coupon: [null] } }, true],
  ["null does not match a missing field", { detail: { missing: [null] } }, false],
  ["nested fields all must match", { source: ["com.shop.orders"], detail: { status: ["PAID"] } }, true],
  ["nested field mismatch", { source: ["com.shop.orders"], detail: { status: ["NEW"] } }, false],
  ["event array: any element matches", { detail: { flags: ["express"] } }, true],
  ["event array: no element matches", { detail: { flags: ["fragile"] } }, false],
  ["array of objects: nested match on any element", { detail: { items: { sku: ["b-2"] } } }, true],
  ["resources array", { resources: [{ prefix: "trn:stepflow:" }] }, true],
  ["prefix", { detail: { orderId: [{ prefix: "ord-" }] } }, true],
  ["prefix mismatch", { detail: { orderId: [{ prefix: "inv-" }] } }, false],
  ["prefix ignore case", { detail: { orderId: [{ prefix: { "equals-ignore-case": "ORD-" } }] } }, true],
  ["suffix", { detail: { file: [{ suffix: ".png" }] } }, true],
  ["suffix mismatch", { detail: { file: [{ suffix: ".jpg" }] } }, false],
  ["suffix ignore case", { detail: { file: [{ suffix: { "equals-ignore-case": ".PNG" } }] } }, true],
  ["anything-but value", { detail: { status: [{ "anything-but": "CANCELLED" }] } }, true],
  ["anything-but value excluded", { detail: { status: [{ "anything-but": "PAID" }] } }, false],
  ["anything-but list", { detail: { status: [{ "anything-but": ["NEW", "CANCELLED"] }] } }, true],
  ["anything-but list excluded", { detail: { status: [{ "anything-but": ["NEW", "PAID"] }] } }, false],
  ["anything-but number list", { detail: { quantity: [{ "anything-but": [1, 2] }] } }, true],
  ["anything-but prefix", { detail: { orderId: [{ "anything-but": { prefix: "test-" } }] } }, true],
  ["anything-but prefix excluded", { detail: { orderId: [{ "anything-but": { prefix: "ord-" } }] } }, false],
  ["anything-but suffix", { detail: { file: [{ "anything-but": { suffix: ".tmp" } }] } }, true],
  ["anything-but suffix excluded", { detail: { file: [{ "anything-but": { suffix: ".png" } }] } }, false],
  ["anything-but ignore case", {
    detail: { status: [{ "anything-but": { "equals-ignore-case": ["paid"] } }] },
  }, false],
  ["anything-but wildcard", { detail: { file: [{ "anything-but": { wildcard: "tmp/*" } }] } }, true],
  ["anything-but does not match a missing field", { detail: { nope: [{ "anything-but": "x" }] } }, false],
  ["numeric range", { detail: { amount: [{ numeric: [">", 0, "<=", 42.5] }] } }, true],
  ["numeric range outside", { detail: { amount: [{ numeric: [">", 50] }] } }, false],
  ["numeric equals", { detail: { quantity: [{ numeric: ["=", 3] }] } }, true],
  ["numeric on a string never matches", { detail: { status: [{ numeric: [">", 0] }] } }, false],
  ["numeric on array elements", { detail: { items: { price: [{ numeric: [">", 30] }] } } }, true],
  ["exists true", { detail: { orderId: [{ exists: true }] } }, true],
  ["exists true on a missing field", { detail: { refund: [{ exists: true }] } }, false],
  ["exists false on a missing field", { detail: { refund: [{ exists: false }] } }, true],
  ["exists false on a present field", { detail: { orderId: [{ exists: false }] } }, false],
  ["exists true does not match an object (not a leaf)", { detail: { customer: [{ exists: true }] } }, false],
  [
    "equals-ignore-case",
    { detail: { customer: { email: [{ "equals-ignore-case": "ann@example.com" }] } } },
    true,
  ],
  ["equals-ignore-case mismatch", {
    detail: { customer: { email: [{ "equals-ignore-case": "bob@x.com" }] } },
  }, false],
  ["wildcard", { detail: { file: [{ wildcard: "photos/*.png" }] } }, true],
  ["wildcard mismatch", { detail: { file: [{ wildcard: "docs/*" }] } }, false],
  ["wildcard escaped star is literal", { detail: { file: [{ wildcard: "photos/\\*.png" }] } }, false],
  ["cidr IPv4", { detail: { sourceIp: [{ cidr: "10.0.0.0/16" }] } }, true],
  ["cidr IPv4 outside", { detail: { sourceIp: [{ cidr: "10.1.0.0/16" }] } }, false],
  ["cidr IPv6", { detail: { clientIp6: [{ cidr: "2001:db8::/32" }] } }, true],
  ["cidr IPv6 outside", { detail: { clientIp6: [{ cidr: "2001:db9::/32" }] } }, false],
  ["cidr on a non-IP string", { detail: { status: [{ cidr: "10.0.0.0/8" }] } }, false],
  ["$or: one branch matches", { $or: [{ source: ["nope"] }, { detail: { status: ["PAID"] } }] }, true],
  ["$or: no branch matches", { $or: [{ source: ["nope"] }, { detail: { status: ["NEW"] } }] }, false],
  [
    "$or inside detail",
    { detail: { $or: [{ country: ["FR"] }, { quantity: [{ numeric: [">=", 3] }] }] } },
    true,
  ],
  ["mixed operators in one array are OR", { detail: { status: ["NEW", { prefix: "PA" }] } }, true],
  ["detail-type key with a dash", { "detail-type": ["Order Placed"] }, true],
  ["nested pattern on a scalar field does not match", { detail: { status: { x: ["y"] } } }, false],
];

for (const [name, pattern, expected] of CASES) {
  Deno.test(`pattern: ${name} → ${expected ? "matches" : "does not match"}`, () => {
    assertEquals(matchesPattern(pattern, EVENT), expected);
  });
}

const INVALID: Array<[string, unknown, string]> = [
  ["a bare scalar instead of an array", { source: "x" }, "/pattern/source"],
  ["an unknown operator", { detail: { a: [{ contains: "x" }] } }, "/pattern/detail/a/0/contains"],
  [
    "a numeric with a bad operator",
    { detail: { a: [{ numeric: ["!=", 1] }] } },
    "/pattern/detail/a/0/numeric/0",
  ],
  ["a numeric with odd length", { detail: { a: [{ numeric: [">"] }] } }, "/pattern/detail/a/0/numeric"],
  ["a bad cidr", { detail: { ip: [{ cidr: "10.0.0.0/40" }] } }, "/pattern/detail/ip/0/cidr"],
  ["consecutive wildcards", { f: [{ wildcard: "a**b" }] }, "/pattern/f/0/wildcard"],
  ["exists with a string", { f: [{ exists: "yes" }] }, "/pattern/f/0/exists"],
  ["$or with one branch", { $or: [{ a: ["b"] }] }, "/pattern/$or"],
  ["an empty array", { source: [] }, "/pattern/source"],
  ["not an object", ["x"], "/pattern"],
  ["operator object with two keys", { f: [{ prefix: "a", suffix: "b" }] }, "/pattern/f/0"],
];

for (const [name, pattern, path] of INVALID) {
  Deno.test(`compilePattern rejects ${name} naming ${path}`, () => {
    const err = assertThrows(() => compilePattern(pattern)) as ValidationError;
    assert(err instanceof ValidationError);
    assert(err.errors.some((e) => e.path === path), JSON.stringify(err.errors));
  });
}

const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -1000, max: 1000 }), fc.boolean());
const key = fc.constantFrom("a", "b", "c", "d");
const flatEvent = fc.dictionary(key, scalar, { minKeys: 1 });

Deno.test("property: an exact pattern built from an event's own values matches it", () => {
  fc.assert(fc.property(flatEvent, (event) => {
    const pattern = Object.fromEntries(Object.entries(event).map(([k, v]) => [k, [v]]));
    return matchesPattern({ detail: pattern }, { detail: event });
  }));
});

Deno.test("property: anything-but of a field's value never matches that value", () => {
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), (v) => {
    return !matchesPattern({ x: [{ "anything-but": v }] }, { x: v });
  }));
});

Deno.test("property: prefix matches exactly the strings that start with it", () => {
  fc.assert(fc.property(fc.string({ maxLength: 6 }), fc.string({ maxLength: 10 }), (p, s) => {
    return matchesPattern({ x: [{ prefix: p }] }, { x: s }) === s.startsWith(p);
  }));
});

Deno.test("property: numeric ranges agree with arithmetic comparison", () => {
  fc.assert(fc.property(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    (lo, hi, v) =>
      matchesPattern({ x: [{ numeric: [">=", lo, "<", hi] }] }, { x: v }) === (v >= lo && v < hi),
  ));
});

Deno.test("property: an array pattern is the OR of its single-value patterns", () => {
  fc.assert(fc.property(fc.array(scalar, { minLength: 1, maxLength: 4 }), scalar, (values, v) => {
    const whole = matchesPattern({ x: values }, { x: v });
    const any = values.some((one) => matchesPattern({ x: [one] }, { x: v }));
    return whole === any;
  }));
});

Deno.test("property: $or equals the OR of its branches", () => {
  fc.assert(fc.property(flatEvent, scalar, scalar, (event, v1, v2) => {
    const a = { a: [v1] };
    const b = { b: [v2] };
    return matchesPattern({ $or: [a, b] }, event) === (matchesPattern(a, event) || matchesPattern(b, event));
  }));
});

Deno.test("property: wildcard '*' alone matches every string and a literal matches only itself", () => {
  fc.assert(fc.property(fc.string({ maxLength: 10 }), fc.stringMatching(/^[a-z.]{0,8}$/), (s, lit) => {
    return matchesPattern({ x: [{ wildcard: "*" }] }, { x: s }) &&
      matchesPattern({ x: [{ wildcard: lit }] }, { x: s }) === (s === lit);
  }));
});

Deno.test("property: cidr /32 matches exactly one IPv4 address", () => {
  const octet = fc.integer({ min: 0, max: 255 });
  fc.assert(
    fc.property(fc.tuple(octet, octet, octet, octet), fc.tuple(octet, octet, octet, octet), (a, b) => {
      const ipA = a.join(".");
      const ipB = b.join(".");
      return matchesPattern({ ip: [{ cidr: `${ipA}/32` }] }, { ip: ipB }) === (ipA === ipB);
    }),
  );
});

Deno.test("fixtures/events/patterns.json: each sample pattern gives its documented result", async () => {
  const dir = new URL("../../fixtures/events/", import.meta.url);
  const cases = JSON.parse(await Deno.readTextFile(new URL("patterns.json", dir))) as Array<
    { name: string; event: string; pattern: unknown; matches: boolean }
  >;
  assert(cases.length >= 5);
  for (const c of cases) {
    const event = JSON.parse(await Deno.readTextFile(new URL(c.event, dir)));
    assertEquals(matchesPattern(c.pattern, event), c.matches, c.name);
  }
});
