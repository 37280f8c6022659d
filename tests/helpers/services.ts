/**
 * Connector tests need real servers. Outside CI a missing server skips the test (with a note);
 * under CI=true it fails, so a broken machine can never pass silently.
 */
export async function reachable(port: number, host = "127.0.0.1", timeoutMs = 1000): Promise<boolean> {
  try {
    const conn = await Promise.race([
      Deno.connect({ hostname: host, port }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), timeoutMs)),
    ]);
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns true when the test should run. Throws under CI when the service is down; otherwise
 * prints a note and returns false so the caller can return early.
 */
export async function requireService(name: string, port: number, host = "127.0.0.1"): Promise<boolean> {
  if (await reachable(port, host)) return true;
  const message = `${name} is not reachable on ${host}:${port}`;
  if (Deno.env.get("CI") === "true") {
    throw new Error(`${message} (CI=true: service-dependent tests must not skip)`);
  }
  console.warn(`SKIPPED: ${message}`);
  return false;
}
