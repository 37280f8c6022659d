export type { Db, Row, SqlValue } from "./db.ts";
export { openSqlite, type SqliteOptions } from "./sqlite.ts";
export { migrate, type Migration, MigrationError } from "./migrate.ts";
