/** Test helpers shared by the SQL server connector tests (postgres_test.ts, mysql_test.ts). */
import { assertEquals, assertNotEquals } from "../../../../tests/helpers/assert.ts";
import type { Connector, ResolvedConnection } from "../types.ts";
import { opts, uniqueName } from "./testing.ts";

/**
 * Creates a table with a unique name (`create` gets the name and returns the CREATE statement), runs
 * fn, then drops the table and closes the connector's pools.
 */
export async function withSqlTable(
  connector: Connector,
  connection: ResolvedConnection,
  table: { prefix: string; create: (name: string) => string },
  fn: (name: string, connection: ResolvedConnection) => Promise<void>,
): Promise<void> {
  const name = uniqueName(table.prefix);
  await connector.execute(connection, "execute", { sql: table.create(name) }, opts());
  try {
    await fn(name, connection);
  } finally {
    await connector.execute(connection, "execute", { sql: `drop table if exists ${name}` }, opts());
    await connector.close();
  }
}

/**
 * Asserts one pool per connection revision: `sessionIdSql` (a query returning one row with column
 * `id`, the server session) answers the same id twice, another id for revision 2, and yet another
 * after close(trn). `connection` should allow a single pooled session (maxConnections: 1).
 */
export async function assertPoolPerRevision(
  connector: Connector,
  connection: ResolvedConnection,
  sessionIdSql: string,
): Promise<void> {
  const id = async (c: ResolvedConnection) =>
    ((await connector.execute(c, "query", { sql: sessionIdSql }, opts())) as { rows: { id: unknown }[] })
      .rows[0].id;
  try {
    const a = await id(connection);
    assertEquals(await id(connection), a);
    const b = await id({ ...connection, revision: "2" });
    assertNotEquals(b, a);
    await connector.close(connection.trn);
    assertNotEquals(await id({ ...connection, revision: "2" }), b);
  } finally {
    await connector.close();
  }
}
