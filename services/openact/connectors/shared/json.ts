/**
 * Makes driver results JSON-serialisable: bigint → string (number when safe), bytes → base64,
 * Date → ISO string, Map → object; objects with toJSON (ObjectId, Decimal) use it.
 */
export function toJsonValue(value: unknown, depth = 0): unknown {
  if (depth > 64) return null;
  if (value === null || value === undefined) return value ?? null;
  switch (typeof value) {
    case "bigint":
      return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
        ? Number(value)
        : value.toString();
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "string":
    case "boolean":
      return value;
    case "function":
    case "symbol":
      return null;
  }
  if (value instanceof Uint8Array) return bytesToBase64(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map((v) => toJsonValue(v, depth + 1));
  if (value instanceof Map) {
    return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonValue(v, depth + 1)]));
  }
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === "function") return toJsonValue(withToJson.toJSON(), depth + 1);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = toJsonValue(v, depth + 1);
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Message payloads: strings go as-is, anything else as JSON. */
export function encodePayload(message: unknown): Uint8Array {
  return encoder.encode(typeof message === "string" ? message : JSON.stringify(message ?? null));
}

/** Decodes a message body: JSON when it parses, otherwise the text. */
export function decodePayload(bytes: Uint8Array): { data: unknown; raw: string } {
  const raw = decoder.decode(bytes);
  try {
    return { data: JSON.parse(raw), raw };
  } catch {
    return { data: raw, raw };
  }
}
