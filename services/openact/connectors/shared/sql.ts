/**
 * The operation inputs the SQL server connectors (postgres, mysql) share: one statement with bound
 * parameters, a query with a row cap, and an all-or-nothing transaction of statements. Each driver
 * gives its own params schema, placeholder wording and isolation levels; running them differs
 * (cancellation, sessions) and stays in the connector.
 */
import { z } from "zod";

export interface SqlInputOptions<P extends z.ZodType, L extends readonly [string, ...string[]]> {
  /** The params schema (what placeholders bind). */
  params: P;
  /** Describes the sql field, naming the driver's placeholders. */
  sqlDescription: string;
  isolationLevels: L;
  /** Describes the execute operation's result. */
  executeDescription: string;
}

export function sqlOperations<P extends z.ZodType, const L extends readonly [string, ...string[]]>(
  o: SqlInputOptions<P, L>,
) {
  const statement = z.strictObject({
    sql: z.string().min(1).describe(o.sqlDescription),
    params: o.params,
  });
  const queryInput = z.strictObject({
    sql: statement.shape.sql,
    params: o.params,
    maxRows: z.int().min(1).max(100_000).default(10_000).describe("rows beyond this are dropped"),
  });
  const transactionInput = z.strictObject({
    statements: z.array(statement).min(1).max(1000),
    isolationLevel: z.enum(o.isolationLevels).optional(),
    readOnly: z.boolean().default(false),
  });
  const operations = {
    query: { description: "Run a parameterized query and return its rows", input: queryInput },
    execute: { description: o.executeDescription, input: statement },
    transaction: {
      description: "Run statements in one transaction: all commit or none do",
      input: transactionInput,
    },
  };
  return { statement, queryInput, transactionInput, operations };
}
