/**
 * In-process system events (execution succeeded, function failed, secret rotated, …).
 * Publishers don't know who listens; Igniter subscribes and routes them to rules.
 */
export interface SystemEvent {
  tenant: string;
  /** e.g. `aionix.stepflow` */
  source: string;
  /** e.g. `Execution Succeeded` */
  detailType: string;
  detail: Record<string, unknown>;
  resources?: string[];
  time?: string;
}

/**
 * A listener's return value is ignored, except that a durable listener returns a promise that
 * settles once it has stored the event (and a rejected promise of any listener is logged).
 */
export type EventListener = (event: SystemEvent) => unknown;

export interface SubscribeOptions {
  /**
   * The listener stores events durably (Igniter's event bus) and returns a promise that
   * resolves once the event is stored and rejects when storing failed; publishAndWait() waits for it.
   */
  durable?: boolean;
}

export class SystemEvents {
  #listeners = new Map<EventListener, SubscribeOptions>();
  subscribe(listener: EventListener, options: SubscribeOptions = {}): () => void {
    this.#listeners.set(listener, options);
    return () => this.#listeners.delete(listener);
  }

  #deliver(event: SystemEvent): Promise<unknown>[] {
    const stamped = { ...event, time: event.time ?? new Date().toISOString() };
    const durable: Promise<unknown>[] = [];
    for (const [listener, options] of this.#listeners) {
      try {
        const result = listener(stamped);
        if (options.durable) durable.push(Promise.resolve(result));
        else if (result instanceof Promise) {
          result.catch((err) => console.error("system event listener failed", err));
        }
      } catch (err) {
        if (options.durable) durable.push(Promise.reject(err));
        else console.error("system event listener failed", err);
      }
    }
    return durable;
  }

  /** Delivers synchronously; a throwing listener does not stop the others. */
  publish(event: SystemEvent): void {
    // durable listeners report their own failures; nothing waits here
    for (const p of this.#deliver(event)) p.catch(() => {});
  }

  /**
   * Delivers like publish(), then waits until every durable listener has stored the event.
   * Resolves with the number of durable listeners that stored it (0 when none is subscribed);
   * rejects with the first storage failure.
   */
  async publishAndWait(event: SystemEvent): Promise<number> {
    const durable = this.#deliver(event);
    const results = await Promise.allSettled(durable);
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return durable.length;
  }
}
