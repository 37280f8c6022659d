/**
 * The function host: a subprocess (the same executable, hidden subcommand `__fnhost`) that runs
 * Deno functions in permission-restricted Workers. It lives outside the server because a Worker
 * that exhausts the V8 heap aborts its whole process (DESIGN.md §7); the server supervises it.
 *
 * stdin:  {t:"load", key, url, handler, env, permissions, outputLimit, logLimit}
 *         {t:"invoke", id, key, event, ctx, timeoutMs} · {t:"evict", key} · {t:"config", maxPoolSize, idleTtlMs}
 * stdout: {t:"ready"} · {t:"log", id, level, text} · {t:"done", id, ok, json?, error?, cold, durationMs, heap}
 */
import { LineWriter, readJsonLines } from "./lines.ts";
import { WORKER_SOURCE } from "./worker_source.ts";

interface LoadMessage {
  t: "load";
  key: string;
  url: string;
  handler: string;
  env: Record<string, string>;
  permissions: Deno.PermissionOptionsObject;
  outputLimit: number;
  logLimit: number;
}

interface InvokeMessage {
  t: "invoke";
  id: number;
  key: string;
  event: unknown;
  ctx: Record<string, unknown> & { deadline: number };
  timeoutMs: number;
}

interface Slot {
  worker: Worker;
  idleSince: number;
  /** Set while an invocation runs on it. */
  onMessage?: (m: Record<string, unknown>) => void;
  onFailure?: (message: string) => void;
}

const WORKER_URL = "data:application/javascript;base64," + btoa(WORKER_SOURCE);

export class FunctionHost {
  #specs = new Map<string, LoadMessage>();
  #idle = new Map<string, Slot[]>();
  /** Workers alive per key (idle or busy); at most maxPoolSize, further calls wait for one. */
  #live = new Map<string, number>();
  #waiters = new Map<string, ((slot: Slot | null) => void)[]>();
  #maxPoolSize = 8;
  #idleTtlMs = 300_000;
  #sweeper: ReturnType<typeof setInterval>;
  constructor(private out: (message: unknown) => void) {
    this.#sweeper = setInterval(() => this.sweep(), 1000);
  }

  configure(maxPoolSize: number, idleTtlMs: number) {
    this.#maxPoolSize = maxPoolSize;
    this.#idleTtlMs = idleTtlMs;
  }

  load(m: LoadMessage) {
    this.#specs.set(m.key, m);
  }

  evict(key: string) {
    this.#specs.delete(key);
    for (const slot of this.#idle.get(key) ?? []) this.#retire(key, slot);
    this.#idle.delete(key);
  }

  sweep(now = Date.now()) {
    for (const [key, slots] of this.#idle) {
      const keep = slots.filter((s) => {
        if (now - s.idleSince < this.#idleTtlMs) return true;
        this.#retire(key, s);
        return false;
      });
      if (keep.length) this.#idle.set(key, keep);
      else this.#idle.delete(key);
    }
  }

  /** Stops a worker; a caller waiting for a free worker may now start one. */
  #retire(key: string, slot: Slot) {
    slot.worker.terminate();
    const n = (this.#live.get(key) ?? 1) - 1;
    if (n > 0) this.#live.set(key, n);
    else this.#live.delete(key);
    this.#waiters.get(key)?.shift()?.(null);
  }

  /** Hands a finished worker to the next waiting call, or parks it idle. */
  #release(key: string, s: Slot) {
    const waiter = this.#waiters.get(key)?.shift();
    if (waiter) return waiter(s);
    const pool = this.#idle.get(key) ?? [];
    s.idleSince = Date.now();
    pool.push(s);
    this.#idle.set(key, pool);
    // A worker that dies while idle (a late unhandled rejection) must not be reused.
    s.onFailure = () => {
      const idle = this.#idle.get(key);
      if (idle) this.#idle.set(key, idle.filter((x) => x !== s));
      this.#retire(key, s);
    };
  }

  async #acquire(key: string, spec: LoadMessage): Promise<{ slot: Slot; cold: boolean }> {
    const idle = this.#idle.get(key)?.pop();
    if (idle) return { slot: idle, cold: false };
    if ((this.#live.get(key) ?? 0) >= this.#maxPoolSize) {
      const waiters = this.#waiters.get(key) ?? [];
      this.#waiters.set(key, waiters);
      const handed = await new Promise<Slot | null>((resolve) => waiters.push(resolve));
      if (handed) return { slot: handed, cold: false };
    }
    this.#live.set(key, (this.#live.get(key) ?? 0) + 1);
    try {
      return { slot: await this.#newSlot(spec), cold: true };
    } catch (error) {
      const n = (this.#live.get(key) ?? 1) - 1;
      if (n > 0) this.#live.set(key, n);
      else this.#live.delete(key);
      this.#waiters.get(key)?.shift()?.(null);
      throw error;
    }
  }

  get workerCount(): number {
    let n = 0;
    for (const slots of this.#idle.values()) n += slots.length;
    return n;
  }

  #newSlot(spec: LoadMessage): Promise<Slot> {
    const worker = new Worker(WORKER_URL, {
      type: "module",
      // @ts-ignore: Worker permissions are an unstable Deno option (--unstable-worker-options).
      deno: { permissions: spec.permissions },
    });
    const slot: Slot = { worker, idleSince: Date.now() };
    worker.onmessage = (e) => slot.onMessage?.(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      slot.onFailure?.(e.message ?? "uncaught error");
    };
    worker.onmessageerror = () => slot.onFailure?.("a message could not be deserialised");
    return new Promise((resolve, reject) => {
      slot.onMessage = (m) => {
        slot.onMessage = undefined;
        slot.onFailure = undefined;
        if (m.ok) resolve(slot);
        else {
          worker.terminate();
          reject(m.error);
        }
      };
      slot.onFailure = (message) => {
        slot.onMessage = undefined;
        slot.onFailure = undefined;
        worker.terminate();
        reject({ errorType: "Runtime.ImportModuleError", errorMessage: message, stack: [] });
      };
      worker.postMessage({
        t: "init",
        url: spec.url,
        handler: spec.handler,
        env: spec.env,
        outputLimit: spec.outputLimit,
        logLimit: spec.logLimit,
      });
    });
  }

  async invoke(m: InvokeMessage): Promise<void> {
    const started = performance.now();
    const spec = this.#specs.get(m.key);
    const done = (body: Record<string, unknown>, cold: boolean) =>
      this.out({ t: "done", id: m.id, cold, durationMs: performance.now() - started, heap: 0, ...body });
    if (!spec) {
      return done({
        ok: false,
        error: {
          errorType: "Runtime.NotLoaded",
          errorMessage: `function ${m.key} is not loaded in this host`,
        },
      }, false);
    }
    let slot: Slot;
    let cold: boolean;
    try {
      ({ slot, cold } = await this.#acquire(m.key, spec));
    } catch (error) {
      return done({ ok: false, error }, true);
    }
    const s = slot;
    const remaining = Math.max(
      1,
      Math.min(m.timeoutMs - (performance.now() - started), m.ctx.deadline - Date.now()),
    );
    await new Promise<void>((resolve) => {
      const finish = (body: Record<string, unknown>, reuse: boolean) => {
        clearTimeout(timer);
        s.onMessage = undefined;
        s.onFailure = undefined;
        done(body, cold);
        if (reuse && this.#specs.get(m.key) === spec) this.#release(m.key, s);
        else this.#retire(m.key, s);
        resolve();
      };
      const timer = setTimeout(() => {
        finish({
          ok: false,
          error: {
            errorType: "Sandbox.Timedout",
            errorMessage: `Task timed out after ${(m.timeoutMs / 1000).toFixed(2)} seconds`,
            stack: [],
          },
        }, false);
      }, remaining);
      s.onMessage = (msg) => {
        if (msg.t === "log") this.out({ t: "log", id: m.id, level: msg.level, text: msg.text });
        else if (msg.t === "done") {
          finish({ ok: msg.ok, json: msg.json, error: msg.error, heap: msg.heap }, true);
        }
      };
      s.onFailure = (message) => {
        finish({
          ok: false,
          error: { errorType: "Runtime.UnhandledError", errorMessage: message, stack: [] },
        }, false);
      };
      s.worker.postMessage({ t: "invoke", id: m.id, event: m.event, ctx: m.ctx });
    });
  }

  close() {
    clearInterval(this.#sweeper);
    for (const key of [...this.#idle.keys()]) this.evict(key);
  }
}

/** Entry point of the `__fnhost` hidden subcommand. */
export async function run(_args: string[]): Promise<void> {
  const writer = new LineWriter(Deno.stdout.writable);
  const host = new FunctionHost((m) => void writer.send(m));
  await writer.send({ t: "ready", pid: Deno.pid });
  for await (const m of readJsonLines<{ t: string } & Record<string, unknown>>(Deno.stdin.readable)) {
    if (m.t === "load") host.load(m as unknown as LoadMessage);
    else if (m.t === "invoke") void host.invoke(m as unknown as InvokeMessage);
    else if (m.t === "evict") host.evict(String(m.key));
    else if (m.t === "config") host.configure(Number(m.maxPoolSize), Number(m.idleTtlMs));
  }
  // The server closed our stdin: it is gone or stopping us.
  host.close();
  await writer.close();
  Deno.exit(0);
}
