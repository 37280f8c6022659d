/**
 * `/mcp`: MCP over streamable HTTP, stateless (a fresh server per request), authenticated with
 * the same bearer tokens as the API. The tenant comes from the token or `x-aionix-tenant`.
 */
import { hasRole, tenantFor, type TokenService } from "../../../runtime/auth.ts";
import type { ApiApp } from "../../../runtime/http/app.ts";
import type { ExecutorBus } from "../../../runtime/bus.ts";
import type { OpenAct } from "../service.ts";

/**
 * The MCP SDK is heavy (~100 ms to import), so tools.ts (which imports it) loads on the first
 * /mcp request. The specifier is computed so `deno run` does not even load the SDK's module graph
 * at start; `deno task compile` includes tools.ts explicitly (scripts/compile.ts LAZY_ENTRIES).
 */
let tools: Promise<typeof import("./tools.ts")> | undefined;
const loadTools = () => tools ??= import(new URL("./tools.ts", import.meta.url).href);

export const MCP_PATH = "/mcp";

export function mountMcp(app: ApiApp, deps: { tokens: TokenService; bus: ExecutorBus; openact: OpenAct }) {
  app.all(MCP_PATH, async (c) => {
    const authorization = c.req.header("authorization");
    const principal = await deps.tokens.authenticate(authorization);
    const tenant = tenantFor(principal, c.req.header("x-aionix-tenant"));
    c.set("principal", principal);
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await app.request(path, {
        method,
        headers: {
          host: c.req.header("host") ?? "127.0.0.1",
          authorization: authorization!,
          "x-aionix-tenant": tenant,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch { /* not JSON */ }
      return { status: res.status, body: parsed };
    };
    const { createMcpServer, WebStandardStreamableHTTPServerTransport } = await loadTools();
    const server = createMcpServer({
      tenant,
      canRun: hasRole(principal, "operator"),
      api,
      openact: deps.openact,
      bus: deps.bus,
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      // Stateless: nothing survives the request.
      queueMicrotask(() => server.close().catch(() => {}));
    }
  });
}
