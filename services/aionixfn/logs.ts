/**
 * Function logs: lines are numbered and delivered to live followers at once, and written to
 * SQLite in batches (one transaction per flush) so logging does not slow invocations down.
 */
import type { Clock, TimerId } from "../../runtime/clock.ts";
import type { FnStore } from "./store.ts";
import type { LogEntry } from "./types.ts";

export type LogFollower = (entry: LogEntry) => void;

const FLUSH_MS = 200;
const KEEP_PER_FUNCTION = 20_000;

export class FunctionLogs {
  #seq: number;
  #buffer: (LogEntry & { tenant: string })[] = [];
  #followers = new Map<string, Set<LogFollower>>();
  #timer: TimerId | undefined;
  #flushes = 0;
  constructor(private store: FnStore, private clock: Clock) {
    this.#seq = store.maxLogSeq();
  }

  write(tenant: string, e: Omit<LogEntry, "seq" | "time">): LogEntry {
    const entry: LogEntry = { seq: ++this.#seq, time: new Date(this.clock.now()).toISOString(), ...e };
    this.#buffer.push({ ...entry, tenant });
    for (const f of this.#followers.get(`${tenant}/${e.functionName}`) ?? []) {
      try {
        f(entry);
      } catch { /* a broken follower is removed by its stream */ }
    }
    if (this.#buffer.length >= 1000) this.flush();
    else this.#timer ??= this.clock.setTimeout(() => this.flush(), FLUSH_MS);
    return entry;
  }

  follow(tenant: string, name: string, follower: LogFollower): () => void {
    const key = `${tenant}/${name}`;
    const set = this.#followers.get(key) ?? new Set();
    set.add(follower);
    this.#followers.set(key, set);
    return () => {
      set.delete(follower);
      if (!set.size) this.#followers.delete(key);
    };
  }

  /** Writes buffered lines; called on a timer, when the buffer is large, and at stop. */
  flush(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#buffer;
    if (!batch.length) return;
    this.#buffer = [];
    this.store.insertLogs(batch);
    if (++this.#flushes % 50 === 0) {
      const seen = new Set(batch.map((e) => `${e.tenant}\0${e.functionName}`));
      for (const key of seen) {
        const [tenant, name] = key.split("\0");
        this.store.pruneLogs(tenant, name, KEEP_PER_FUNCTION);
      }
    }
  }
}
