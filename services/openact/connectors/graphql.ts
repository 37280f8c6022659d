/**
 * graphql: queries and mutations with variables over HTTP POST (same transport, auth, SSRF
 * guard and retries as the http connector). GraphQL `errors` without data fail the call with
 * the server's messages; partial results return {data, errors}.
 */
import { z } from "zod";
import type { Connector } from "./types.ts";
import { ConnectorError } from "../errors.ts";
import { HttpStatusError } from "../net/common.ts";
import { httpRequest, HttpSettings, RequestInput } from "./http.ts";

const KIND = "graphql";

const Settings = HttpSettings.extend({
  baseUrl: z.url().describe("The GraphQL endpoint, e.g. https://api.example.com/graphql"),
});

const Operation = z.strictObject({
  query: z.string().min(1).describe("The GraphQL document"),
  variables: z.record(z.string(), z.unknown()).default({}),
  operationName: z.string().optional(),
  headers: z.record(z.string(), z.string()).default({}),
});
type Operation = z.infer<typeof Operation>;

export class GraphQLError extends ConnectorError {
  constructor(readonly errors: { message: string; path?: unknown; extensions?: unknown }[]) {
    super(
      KIND,
      errors.map((e) => e.message).join("; ").slice(0, 1000) || "the server returned errors",
      "GraphQLError",
    );
  }
  override extra() {
    return { ...super.extra(), errors: this.errors.slice(0, 20) };
  }
}

async function send(
  connection: Parameters<Connector["execute"]>[0],
  op: Operation,
  options: Parameters<Connector["execute"]>[3],
) {
  let res;
  try {
    res = await httpRequest(
      connection,
      RequestInput.parse({
        method: "POST",
        path: "",
        headers: { accept: "application/graphql-response+json, application/json", ...op.headers },
        json: {
          query: op.query,
          variables: op.variables,
          ...(op.operationName ? { operationName: op.operationName } : {}),
        },
        responseType: "json",
      }),
      { ...options, kind: KIND },
    );
  } catch (err) {
    // Many servers answer 4xx with a GraphQL errors body: surface those messages.
    const body = err instanceof HttpStatusError ? err.body as { errors?: unknown } : undefined;
    if (body && Array.isArray(body.errors) && body.errors.length) {
      throw new GraphQLError(body.errors as never);
    }
    throw err;
  }
  const body = res.body as { data?: unknown; errors?: { message: string }[] } | null;
  if (!body || typeof body !== "object") {
    throw new ConnectorError(KIND, "the response is not a GraphQL result", "BadResponse");
  }
  if (Array.isArray(body.errors) && body.errors.length && (body.data === null || body.data === undefined)) {
    throw new GraphQLError(body.errors);
  }
  return Array.isArray(body.errors) && body.errors.length
    ? { data: body.data, errors: body.errors }
    : { data: body.data };
}

const connector: Connector = {
  kind: KIND,
  description: "GraphQL APIs: queries and mutations with variables",
  settingsSchema: Settings,
  operations: {
    query: {
      description: "Run a query; returns {data} (or {data, errors} for partial results)",
      input: Operation,
    },
    mutation: { description: "Run a mutation; returns {data}", input: Operation },
  },
  async test(connection, options) {
    const r = await send(connection, Operation.parse({ query: "query { __typename }" }), options);
    return { ok: true, data: r.data };
  },
  async execute(connection, operation, input, options) {
    const op = input as Operation;
    if (operation === "mutation" && !/^\s*(#[^\n]*\n\s*)*mutation\b/.test(op.query)) {
      throw new ConnectorError(
        KIND,
        "the mutation operation needs a document starting with 'mutation'",
        "BadDocument",
      );
    }
    return await send(connection, op, options);
  },
  close: () => Promise.resolve(),
};

export default connector;
