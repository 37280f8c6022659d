/** Identifiers: time-ordered ids for rows, and random secrets for tokens. */
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

let lastMs = 0;
let seq = 0;
// Random bytes are drawn in blocks: one getRandomValues call per 341 ids, not one per id.
const pool = new Uint8Array(4092);
let poolAt = pool.length;

/** A 26-char id that sorts by creation time (ms + counter + randomness). */
export function newId(now: number = Date.now()): string {
  if (now === lastMs) seq++;
  else {
    lastMs = now;
    seq = 0;
  }
  const time = now.toString(32).padStart(10, "0");
  const counter = seq.toString(32).padStart(4, "0");
  if (poolAt + 12 > pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  let tail = "";
  for (let i = poolAt; i < poolAt + 12; i++) tail += ALPHABET[pool[i] & 31];
  poolAt += 12;
  return time + counter + tail;
}

/** URL-safe random string with `bytes` bytes of entropy. */
export function randomSecret(bytes = 32): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export async function sha256Hex(text: string | Uint8Array): Promise<string> {
  const data = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const digest = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Compares two strings in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  let diff = ea.length ^ eb.length;
  const n = Math.max(ea.length, eb.length);
  for (let i = 0; i < n; i++) diff |= (ea[i] ?? 0) ^ (eb[i] ?? 0);
  return diff === 0;
}
