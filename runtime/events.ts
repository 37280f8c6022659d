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

export type EventListener = (event: SystemEvent) => void;

export class SystemEvents {
  #listeners = new Set<EventListener>();
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  /** Delivers synchronously; a throwing listener does not stop the others. */
  publish(event: SystemEvent): void {
    const stamped = { ...event, time: event.time ?? new Date().toISOString() };
    for (const listener of this.#listeners) {
      try {
        listener(stamped);
      } catch (err) {
        console.error("system event listener failed", err);
      }
    }
  }
}
