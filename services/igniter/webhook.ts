/**
 * Webhook signature checks over the raw request bytes: GitHub (`X-Hub-Signature-256:
 * sha256=<hex>`) and Stripe (`Stripe-Signature: t=<unix>,v1=<hex>[,v1=…]`, signed payload
 * `t.body`, 5-minute tolerance). Every candidate secret is tried (rotation); comparisons are
 * constant-time.
 */
import { constantTimeEqual } from "../../runtime/ids.ts";

const encoder = new TextEncoder();

export async function hmacSha256Hex(secret: string, data: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
  const mac = await crypto.subtle.sign("HMAC", key, data as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("");
}

export type VerifyResult = { ok: true } | {
  ok: false;
  reason: "missing" | "malformed" | "mismatch" | "stale";
};

/** Compares against every secret without stopping early, so timing does not reveal which one matched. */
async function anyMatches(secrets: string[], data: Uint8Array, candidates: string[]): Promise<boolean> {
  let ok = false;
  for (const secret of secrets) {
    const expected = await hmacSha256Hex(secret, data);
    for (const c of candidates) if (constantTimeEqual(expected, c.toLowerCase())) ok = true;
  }
  return ok;
}

export async function verifyGithub(
  header: string | null,
  body: Uint8Array,
  secrets: string[],
): Promise<VerifyResult> {
  if (!header) return { ok: false, reason: "missing" };
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!m) return { ok: false, reason: "malformed" };
  return (await anyMatches(secrets, body, [m[1]])) ? { ok: true } : { ok: false, reason: "mismatch" };
}

export async function verifyStripe(
  header: string | null,
  body: Uint8Array,
  secrets: string[],
  options: { nowMs: number; toleranceSeconds: number },
): Promise<VerifyResult> {
  if (!header) return { ok: false, reason: "missing" };
  let t: string | undefined;
  const v1: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === "t") t = v;
    else if (k === "v1" && /^[0-9a-fA-F]{64}$/.test(v)) v1.push(v);
  }
  if (!t || !/^\d{1,12}$/.test(t) || !v1.length) return { ok: false, reason: "malformed" };
  const signed = new Uint8Array([...encoder.encode(`${t}.`), ...body]);
  const matched = await anyMatches(secrets, signed, v1);
  if (!matched) return { ok: false, reason: "mismatch" };
  // Checked after the signature so a forged timestamp cannot probe the tolerance.
  if (Math.abs(options.nowMs / 1000 - Number(t)) > options.toleranceSeconds) {
    return { ok: false, reason: "stale" };
  }
  return { ok: true };
}

/** Signs like GitHub does (used by tests and `aio` helpers). */
export async function signGithub(secret: string, body: Uint8Array | string): Promise<string> {
  return "sha256=" + await hmacSha256Hex(secret, typeof body === "string" ? encoder.encode(body) : body);
}

/** Signs like Stripe does. */
export async function signStripe(secret: string, body: string, unixSeconds: number): Promise<string> {
  return `t=${unixSeconds},v1=${await hmacSha256Hex(secret, encoder.encode(`${unixSeconds}.${body}`))}`;
}
