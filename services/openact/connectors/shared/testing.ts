/** Test helpers for connector tests: connections, execute options, unique names. */
import type { ExecuteOptions, ResolvedConnection } from "../types.ts";

let counter = 0;

export function testConnection(
  kind: string,
  settings: Record<string, unknown>,
  extra: Partial<ResolvedConnection> = {},
): ResolvedConnection {
  const name = `t${Date.now().toString(36)}${(counter++).toString(36)}`;
  return {
    trn: `trn:openact:test:connection/${kind}/${name}`,
    tenant: "test",
    kind,
    name,
    settings,
    revision: "1",
    ...extra,
  };
}

export function opts(timeoutMs = 5000, signal: AbortSignal = new AbortController().signal): ExecuteOptions {
  return { signal, timeoutMs };
}

/** A name unique to this test run, safe for tables, queues, topics and subjects. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 8)}`;
}

/** Resolves when the predicate is true, polling; rejects after timeoutMs. */
export async function eventually(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

/** A TCP server that accepts connections and never answers: drivers hang until aborted. */
export function silentServer(): { port: number; close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  (async () => {
    try {
      for await (const conn of listener) {
        conns.push(conn);
        // drain so the client's writes never block
        conn.readable.pipeTo(new WritableStream()).catch(() => {});
      }
    } catch {
      // listener closed
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // already closed by the client
        }
      }
    },
  };
}
