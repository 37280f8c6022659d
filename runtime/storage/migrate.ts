/**
 * Versioned, forward-only migrations. Each owner (a service or the kernel) numbers its own
 * migrations from 1; an applied migration whose SQL changed since is refused at start.
 */
import type { Db } from "./db.ts";
import { sha256Hex } from "../ids.ts";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export class MigrationError extends Error {}

export async function migrate(db: Db, owner: string, migrations: Migration[]): Promise<number[]> {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    owner TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, checksum TEXT NOT NULL,
    applied_at TEXT NOT NULL, PRIMARY KEY (owner, version))`);
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new MigrationError(`${owner}: migrations must be numbered 1..n without gaps`);
    }
  });
  const applied = new Map(
    db.all<{ version: number; checksum: string }>(
      "SELECT version, checksum FROM schema_migrations WHERE owner = ?",
      owner,
    ).map((r) => [r.version, r.checksum]),
  );
  const checksums = await Promise.all(sorted.map((m) => sha256Hex(m.sql)));
  const ran: number[] = [];
  for (const [i, m] of sorted.entries()) {
    const known = applied.get(m.version);
    if (known !== undefined) {
      if (known !== checksums[i]) {
        throw new MigrationError(`${owner} migration ${m.version} (${m.name}) changed after it was applied`);
      }
      continue;
    }
    db.transaction(() => {
      db.exec(m.sql);
      db.run(
        "INSERT INTO schema_migrations (owner, version, name, checksum, applied_at) VALUES (?, ?, ?, ?, ?)",
        owner,
        m.version,
        m.name,
        checksums[i],
        new Date().toISOString(),
      );
    });
    ran.push(m.version);
  }
  const newest = Math.max(0, ...applied.keys());
  if (newest > sorted.length) {
    throw new MigrationError(
      `${owner}: the database is at migration ${newest} but this build knows only ${sorted.length} (downgrade is not supported)`,
    );
  }
  return ran;
}
