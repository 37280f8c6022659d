import { assertEquals, assertThrows } from "../../tests/helpers/assert.ts";
import { NotFoundError, ValidationError } from "../../runtime/errors.ts";
import { checkPath, parseSelector } from "./paths.ts";
import { loadJsonata } from "../../runtime/jsonata.ts";
import { checkValue, expressionOf } from "./values.ts";

// checkValue compiles `{% %}` expressions; the service loads JSONata before it is reached.
await loadJsonata();

Deno.test("checkPath() enforces leading slash, segments, depth 15 and length", () => {
  assertEquals(checkPath("/app/db/host"), "/app/db/host");
  assertEquals(checkPath("/", { prefix: true }), "/");
  assertThrows(() => checkPath("app/x"), ValidationError, "starts with '/'");
  assertThrows(() => checkPath("/a//b"), ValidationError, "empty segments");
  assertThrows(() => checkPath("/a/"), ValidationError, "trailing");
  assertThrows(() => checkPath("/a/../b"), ValidationError, "'.' and '..'");
  assertThrows(() => checkPath("/a/b c"), ValidationError, "segment 'b c'");
  checkPath("/" + Array(15).fill("s").join("/"));
  assertThrows(() => checkPath("/" + Array(16).fill("s").join("/")), ValidationError, "15 levels");
  assertThrows(() => checkPath("/" + "x".repeat(1100)), ValidationError, "1011 characters");
});

Deno.test("parseSelector() reads :version, :label and TRNs; another tenant is a 404", () => {
  assertEquals(parseSelector("/a/b", "t"), { path: "/a/b" });
  assertEquals(parseSelector("/a/b:3", "t"), { path: "/a/b", version: 3 });
  assertEquals(parseSelector("/a/b:prod", "t"), { path: "/a/b", label: "prod" });
  assertEquals(parseSelector("trn:paramstore:t:param/a/b:2", "t"), { path: "/a/b", version: 2 });
  assertThrows(() => parseSelector("trn:paramstore:other:param/a/b", "t"), NotFoundError);
  assertThrows(() => parseSelector("/a/b:0", "t"), ValidationError, "positive integer");
  assertThrows(() => parseSelector("/a/b:bad label", "t"), ValidationError);
});

Deno.test("checkValue() converts CLI strings to the type and rejects mismatches", () => {
  const o = { tenant: "t" };
  assertEquals(checkValue("number", "30", o), 30);
  assertThrows(() => checkValue("number", "thirty", o), ValidationError, "finite number");
  assertEquals(checkValue("boolean", "true", o), true);
  assertThrows(() => checkValue("boolean", "yes", o), ValidationError);
  assertEquals(checkValue("string_list", "a, b,c", o), ["a", "b", "c"]);
  assertEquals(checkValue("json", '{"x":[1]}', o), { x: [1] });
  assertThrows(() => checkValue("json", "{x", o), ValidationError, "JSON text");
  assertEquals(checkValue("secret_ref", "db-password", o), "trn:credvault:t:credential/db-password");
  assertThrows(
    () => checkValue("secret_ref", "trn:credvault:x:credential/a", o),
    ValidationError,
    "this tenant",
  );
  assertThrows(
    () => checkValue("string", "abc", { ...o, allowedPattern: "^[0-9]+$" }),
    ValidationError,
    "allowedPattern",
  );
  assertEquals(checkValue("number", "{% 1 + 1 %}", o), "{% 1 + 1 %}");
  assertThrows(() => checkValue("number", "{% 1 + %}", o), ValidationError, "does not compile");
  assertThrows(() => checkValue("secret_ref", "{% 'x' %}", o), ValidationError, "cannot be an expression");
  assertEquals(expressionOf(" {% $now() %} "), "$now()");
  assertEquals(expressionOf("plain"), undefined);
});
