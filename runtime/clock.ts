/**
 * Time is injected: services take a Clock so tests can drive timers with FakeClock.
 * Only runtime/ touches the real clock.
 */
/** Opaque timer handle (a number in FakeClock, a runtime handle in realClock). */
export type TimerId = unknown;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
  /** Resolves after ms (or rejects with the signal's reason when aborted). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function sleepWith(clock: Pick<Clock, "setTimeout" | "clearTimeout">, ms: number, signal?: AbortSignal) {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const id = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clock.clearTimeout(id);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as number),
  sleep(ms, signal) {
    return sleepWith(this, ms, signal);
  },
};

/** A manual clock: time moves only when a test calls advance()/set(). */
export class FakeClock implements Clock {
  #now: number;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #nextId = 1;
  constructor(start: number | string | Date = 0) {
    this.#now = new Date(start).getTime();
  }
  now(): number {
    return this.#now;
  }
  setTimeout(fn: () => void, ms: number): number {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(id: TimerId): void {
    this.#timers.delete(id as number);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }
  get pendingTimers(): number {
    return this.#timers.size;
  }
  /** Moves time forward, firing due timers in order (timers set by timers fire too). */
  async advance(ms: number): Promise<void> {
    await this.set(this.#now + ms);
  }
  /** Jumps to an absolute time (backwards jumps fire nothing). */
  async set(time: number | string | Date): Promise<void> {
    const target = new Date(time).getTime();
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].at <= target && (!due || entry[1].at < due[1].at)) due = entry;
      }
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#now = Math.max(this.#now, due[1].at);
      due[1].fn();
      await Promise.resolve();
    }
    this.#now = target;
    await new Promise((r) => setTimeout(r, 0));
  }
}
