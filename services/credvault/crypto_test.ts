import { assert, assertEquals, assertNotEquals, assertRejects } from "../../tests/helpers/assert.ts";
import { importAesKey, IntegrityError, keyAad, open, randomKeyBytes, seal, valueAad } from "./crypto.ts";

const enc = new TextEncoder();

Deno.test("seal() output opens only with the same key and AAD", async () => {
  const key = await importAesKey(randomKeyBytes());
  const sealed = await seal(key, enc.encode("hello"), valueAad("trn:credvault:t:credential/a", "s1", "v1"));
  const plain = await open(key, sealed, valueAad("trn:credvault:t:credential/a", "s1", "v1"), "x");
  assertEquals(new TextDecoder().decode(plain), "hello");
  await assertRejects(
    () => open(key, sealed, valueAad("trn:credvault:t:credential/a", "s1", "v2"), "x"),
    IntegrityError,
  );
  await assertRejects(
    () => open(key, sealed, valueAad("trn:credvault:t:credential/b", "s1", "v1"), "x"),
    IntegrityError,
  );
  const other = await importAesKey(randomKeyBytes());
  await assertRejects(
    () => open(other, sealed, valueAad("trn:credvault:t:credential/a", "s1", "v1"), "x"),
    IntegrityError,
  );
});

Deno.test("open() detects a flipped ciphertext bit and truncation without decrypting", async () => {
  const key = await importAesKey(randomKeyBytes());
  const aad = keyAad("trn:credvault:t:credential/a", "s1");
  const sealed = await seal(key, enc.encode("value"), aad);
  const tampered = sealed.slice();
  tampered[tampered.length - 3] ^= 1;
  const err = await assertRejects(() => open(key, tampered, aad, "secret 'a'"), IntegrityError);
  assert(err.message.includes("failed authentication"));
  await assertRejects(() => open(key, sealed.slice(0, 10), aad, "secret 'a'"), IntegrityError);
});

Deno.test("seal() uses a fresh IV each time", async () => {
  const key = await importAesKey(randomKeyBytes());
  const a = await seal(key, enc.encode("same"), "aad");
  const b = await seal(key, enc.encode("same"), "aad");
  assertNotEquals(a, b);
});
