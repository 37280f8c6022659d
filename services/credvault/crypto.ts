/**
 * Envelope encryption with WebCrypto AES-256-GCM. Each credential has its own random data key;
 * the data key is wrapped by the master key. Every ciphertext is bound to where it belongs by
 * additional authenticated data, so rows cannot be swapped between secrets or versions.
 * Sealed layout: 12-byte IV || ciphertext+tag.
 */
import { AppError } from "../../runtime/errors.ts";

const IV_BYTES = 12;
const encoder = new TextEncoder();

/** A ciphertext failed authentication: tampered, swapped or the wrong key. Nothing was decrypted. */
export class IntegrityError extends AppError {
  override readonly status: number = 500;
  override readonly type: string = "integrity";
  override readonly title: string = "Integrity check failed";
}

export function importAesKey(raw: Uint8Array): Promise<CryptoKey> {
  if (raw.length !== 32) throw new Error("AES-256 keys are 32 bytes");
  return crypto.subtle.importKey("raw", raw as Uint8Array<ArrayBuffer>, { name: "AES-GCM" }, false, [
    "encrypt",
    "decrypt",
  ]);
}

export function randomKeyBytes(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

export async function seal(key: CryptoKey, plaintext: Uint8Array, aad: string): Promise<Uint8Array> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: encoder.encode(aad) },
      key,
      plaintext as Uint8Array<ArrayBuffer>,
    ),
  );
  const out = new Uint8Array(IV_BYTES + ct.length);
  out.set(iv);
  out.set(ct, IV_BYTES);
  return out;
}

/** Decrypts and authenticates; throws IntegrityError(`what`) when the ciphertext does not verify. */
export async function open(
  key: CryptoKey,
  sealed: Uint8Array,
  aad: string,
  what: string,
): Promise<Uint8Array> {
  if (!(sealed instanceof Uint8Array) || sealed.length < IV_BYTES + 16) {
    throw new IntegrityError(`${what}: the stored ciphertext is truncated; nothing was decrypted`);
  }
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: sealed.slice(0, IV_BYTES), additionalData: encoder.encode(aad) },
        key,
        sealed.slice(IV_BYTES),
      ),
    );
  } catch {
    throw new IntegrityError(
      `${what}: the stored ciphertext failed authentication (tampered, moved between rows, or wrong key); nothing was decrypted`,
    );
  }
}

/** AAD of a wrapped data key: the credential's TRN and row id. */
export const keyAad = (trn: string, secretId: string) => `credvault:dek:${trn}:${secretId}`;
/** AAD of a value: the credential's TRN, row id and version id. */
export const valueAad = (trn: string, secretId: string, versionId: string) =>
  `credvault:value:${trn}:${secretId}:${versionId}`;
export const CHECK_AAD = "credvault:key-check";
export const CHECK_PLAINTEXT = encoder.encode("aionix master key check v1");

export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function fromBase64(text: string): Uint8Array | undefined {
  try {
    const bin = atob(text.trim());
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}
