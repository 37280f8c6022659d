import { assert, assertEquals, assertThrows } from "../../tests/helpers/assert.ts";
import { ValidationError } from "../../runtime/errors.ts";
import { CertificateParseError, parseCertificate } from "./certificate.ts";
import { checkValue } from "./values.ts";
import { randomPassword } from "./password.ts";

const LONG = Deno.readTextFileSync(new URL("./testdata/long_lived.pem", import.meta.url));
const SHORT = Deno.readTextFileSync(new URL("./testdata/short_lived.pem", import.meta.url));
const NOW = Date.parse("2026-12-01T00:00:00Z");

Deno.test("parseCertificate() reads subject, issuer and validity (UTCTime and GeneralizedTime)", () => {
  const long = parseCertificate(LONG, NOW);
  assertEquals(long.subject, "CN=vault.test, O=Aionix");
  assertEquals(long.issuer, "CN=vault.test, O=Aionix");
  assertEquals(long.notBefore, "2026-11-23T23:40:40.000Z");
  assertEquals(long.notAfter, "2126-10-30T23:40:40.000Z");
  assertEquals(long.expired, false);
  const short = parseCertificate(SHORT, NOW);
  assertEquals(short.notAfter, "2026-12-23T23:40:40.000Z");
  assertEquals(parseCertificate(SHORT, Date.parse("2027-01-01T00:00:00Z")).expired, true);
});

Deno.test("parseCertificate() rejects text without a certificate block and corrupt DER", () => {
  assertThrows(() => parseCertificate("hello", NOW), CertificateParseError, "BEGIN CERTIFICATE");
  assertThrows(
    () => parseCertificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", NOW),
    CertificateParseError,
  );
});

Deno.test("checkValue() validates each type and never quotes the value in errors", () => {
  assertEquals(checkValue("password", "pw", NOW).value, "pw");
  assertThrows(() => checkValue("password", 42, NOW), ValidationError, "must be a string");
  assertThrows(() => checkValue("api_key", "", NOW), ValidationError, "must not be empty");
  assertEquals(checkValue("certificate", LONG, NOW).meta.certificate?.subject, "CN=vault.test, O=Aionix");
  const err = assertThrows(() => checkValue("generic", "{not-json-SENTINEL", NOW), ValidationError);
  assert(!err.message.includes("SENTINEL"));
  assertEquals(checkValue("generic", '{"a":1}', NOW).value, { a: 1 });
  const oauth = checkValue("oauth_token", { accessToken: "at", refreshToken: "rt", expiresIn: 60 }, NOW);
  assertEquals(oauth.meta.oauth, { expiresAt: "2026-12-01T00:01:00.000Z", hasRefreshToken: true });
  assertThrows(
    () => checkValue("oauth_token", { token: "x" }, NOW),
    ValidationError,
    "unknown field",
  );
  assertThrows(() => checkValue("oauth_token", {}, NOW), ValidationError, "accessToken");
  assertThrows(() => checkValue("password", "x".repeat(70_000), NOW), ValidationError, "larger than");
});

Deno.test("randomPassword() honours length, exclusions and one of each class", () => {
  for (let i = 0; i < 50; i++) {
    const pw = randomPassword({ length: 12 });
    assertEquals(pw.length, 12);
    assert(/[a-z]/.test(pw) && /[A-Z]/.test(pw) && /[0-9]/.test(pw) && /[^A-Za-z0-9]/.test(pw));
  }
  const digits = randomPassword({
    length: 40,
    excludeLowercase: true,
    excludeUppercase: true,
    excludePunctuation: true,
  });
  assert(/^[0-9]{40}$/.test(digits));
  assert(!randomPassword({ length: 200, excludeCharacters: "abc" }).match(/[abc]/));
  assertThrows(
    () =>
      randomPassword({
        excludeLowercase: true,
        excludeUppercase: true,
        excludeNumbers: true,
        excludePunctuation: true,
      }),
    Error,
    "every character class is excluded",
  );
  assertThrows(() => randomPassword({ length: 2 }), Error, "length must be");
});
