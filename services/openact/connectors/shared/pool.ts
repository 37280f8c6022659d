/**
 * One pooled client per connection, keyed by trn and rebuilt when the connection's revision
 * changes. Creation is shared by concurrent callers; a failed creation is not cached.
 */
import type { ResolvedConnection } from "../types.ts";

interface Entry<T> {
  revision: string;
  client: Promise<T>;
}

export class PoolCache<T> {
  #entries = new Map<string, Entry<T>>();

  constructor(private readonly destroy: (client: T) => Promise<void> | void) {}

  /** Returns the cached client for this connection revision, creating it when needed. */
  get(connection: ResolvedConnection, create: () => Promise<T>): Promise<T> {
    const existing = this.#entries.get(connection.trn);
    if (existing && existing.revision === connection.revision) return existing.client;
    if (existing) {
      this.#entries.delete(connection.trn);
      this.#dispose(existing);
    }
    const client = create();
    const entry = { revision: connection.revision, client };
    this.#entries.set(connection.trn, entry);
    client.catch(() => {
      if (this.#entries.get(connection.trn) === entry) this.#entries.delete(connection.trn);
    });
    return client;
  }

  /** Whether a client exists for this trn (any revision). */
  has(trn: string): boolean {
    return this.#entries.has(trn);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Drops a client that turned out broken (e.g. its connection closed). */
  async evict(trn: string, client?: T): Promise<void> {
    const entry = this.#entries.get(trn);
    if (!entry) return;
    if (client !== undefined && (await entry.client.catch(() => undefined)) !== client) return;
    if (this.#entries.get(trn) !== entry) return;
    this.#entries.delete(trn);
    await this.#dispose(entry);
  }

  /** Closes the clients of one connection, or all of them. */
  async close(trn?: string): Promise<void> {
    const entries = trn === undefined
      ? [...this.#entries.values()]
      : [this.#entries.get(trn)].filter((e): e is Entry<T> => !!e);
    if (trn === undefined) this.#entries.clear();
    else this.#entries.delete(trn);
    await Promise.all(entries.map((e) => this.#dispose(e)));
  }

  async #dispose(entry: Entry<T>): Promise<void> {
    try {
      const client = await entry.client;
      await this.destroy(client);
    } catch {
      // a client that never connected or fails to close has nothing left to release
    }
  }
}
