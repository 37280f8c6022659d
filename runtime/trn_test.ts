import { assertEquals, assertThrows } from "../tests/helpers/assert.ts";
import fc from "fast-check";
import { buildTrn, formatTrn, parseTrn, resolveName, TRN_TYPES, TrnError, type TrnService } from "./trn.ts";

const services = Object.keys(TRN_TYPES) as TrnService[];
const segment = fc.stringMatching(/^[A-Za-z0-9_@-][A-Za-z0-9_.@-]{0,20}$/).filter((s) =>
  s !== "." && s !== ".."
);
const tenant = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
const qualifier = fc.option(fc.stringMatching(/^[A-Za-z0-9_$.-]{1,12}$/), { nil: undefined });
const trnArb = fc.constantFrom(...services).chain((service) =>
  fc.record({
    service: fc.constant(service),
    tenant,
    type: fc.constantFrom(...TRN_TYPES[service]),
    path: fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join("/")),
    qualifier,
  })
);

Deno.test("parseTrn() reads every part of the spec's examples", () => {
  assertEquals(parseTrn("trn:stepflow:prod:template/order-flow"), {
    service: "stepflow",
    tenant: "prod",
    type: "template",
    path: "order-flow",
  });
  assertEquals(parseTrn("trn:aionixfn:prod:function/charge:live").qualifier, "live");
  assertEquals(parseTrn("trn:openact:prod:connection/http/github-api").path, "http/github-api");
  assertEquals(parseTrn("trn:paramstore:prod:param/app/config/timeout").path, "app/config/timeout");
  assertEquals(parseTrn("trn:aionixfn:prod:function/charge:$LATEST").qualifier, "$LATEST");
});

Deno.test("formatTrn(parseTrn(x)) round-trips every valid TRN", () => {
  fc.assert(
    fc.property(trnArb, (parts) => {
      const clean = parts.qualifier === undefined ? { ...parts, qualifier: undefined } : parts;
      const text = formatTrn(clean);
      const parsed = parseTrn(text);
      assertEquals(formatTrn(parsed), text);
      assertEquals(parsed.service, parts.service);
      assertEquals(parsed.path, parts.path);
    }),
    { numRuns: 500 },
  );
});

Deno.test("parseTrn() rejects malformed input with a TrnError naming the problem", () => {
  const bad: [string, RegExp][] = [
    ["", /must start with 'trn:'/],
    ["arn:aws:x", /must start with 'trn:'/],
    ["trn:nope:prod:template/x", /unknown service 'nope'/],
    ["trn:stepflow:Prod:template/x", /tenant 'Prod'/],
    ["trn:stepflow:prod:function/x", /unknown type 'function' for stepflow/],
    ["trn:stepflow:prod:template", /expected \{type\}\/\{path\}/],
    ["trn:stepflow:prod:template/", /path is empty/],
    ["trn:stepflow:prod:template/a//b", /empty segment/],
    ["trn:stepflow:prod:template/../x", /'\.' and '\.\.'/],
    ["trn:stepflow:prod:template/a b", /outside/],
    ["trn:stepflow:prod:template/x:q:r", /too many ':'/],
    ["trn:stepflow:prod:template/x:", /qualifier/],
    ["trn:stepflow", /expected trn:/],
  ];
  for (const [input, re] of bad) {
    const err = assertThrows(() => parseTrn(input), TrnError) as TrnError;
    if (!re.test(err.message)) throw new Error(`${input}: '${err.message}' does not match ${re}`);
    assertEquals(err.status, 400);
  }
});

Deno.test("parseTrn() never throws anything but TrnError on arbitrary strings", () => {
  fc.assert(
    fc.property(fc.string(), (s) => {
      try {
        parseTrn("trn:" + s);
      } catch (err) {
        if (!(err instanceof TrnError)) throw err;
      }
    }),
    { numRuns: 1000 },
  );
});

Deno.test("resolveName() resolves short names in the caller's tenant", () => {
  const opts = { service: "aionixfn" as const, type: "function", tenant: "prod" };
  assertEquals(formatTrn(resolveName("charge", opts)), "trn:aionixfn:prod:function/charge");
  assertEquals(resolveName("charge:live", opts).qualifier, "live");
  const full = resolveName("trn:aionixfn:other:function/charge", opts);
  assertEquals(full.foreignTenant, true);
  assertEquals(resolveName("trn:aionixfn:prod:function/charge", opts).foreignTenant, false);
  assertThrows(() => resolveName("trn:stepflow:prod:template/x", opts), TrnError);
  assertEquals(
    formatTrn(resolveName("/app/db/host", { service: "paramstore", type: "param", tenant: "t1" })),
    "trn:paramstore:t1:param/app/db/host",
  );
});

Deno.test("buildTrn() validates the parts it formats", () => {
  assertEquals(
    buildTrn({ service: "credvault", tenant: "a", type: "credential", path: "db" }),
    "trn:credvault:a:credential/db",
  );
  assertThrows(
    () => buildTrn({ service: "credvault", tenant: "A", type: "credential", path: "db" }),
    TrnError,
  );
});
