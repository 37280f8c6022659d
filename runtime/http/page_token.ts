/** Opaque list cursors (`nextToken`): base64 JSON, validated by the reader. */
export function encodePageToken(value: unknown): string {
  return btoa(JSON.stringify(value)).replaceAll("=", "");
}

export function decodePageToken<T>(token: string | undefined): T | undefined {
  if (!token) return undefined;
  try {
    return JSON.parse(atob(token)) as T;
  } catch {
    return undefined;
  }
}
