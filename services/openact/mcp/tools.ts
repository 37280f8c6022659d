/**
 * The MCP surface: actions, functions and workflows as tools (JSON-Schema inputs), and
 * executions as resources. Everything runs as the calling token: lists and workflow runs go
 * through the REST API in-process with the caller's headers; actions and functions through
 * OpenAct and the executor bus in the caller's tenant.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  type CallToolRequest,
  CallToolRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  type ReadResourceRequest,
  ReadResourceRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { AppError } from "../../../runtime/errors.ts";
export { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { ExecutorBus } from "../../../runtime/bus.ts";
import { VERSION } from "../../../runtime/version.ts";
import type { OpenAct } from "../service.ts";

export interface McpContext {
  tenant: string;
  /** May the caller run things (operator or admin)? */
  canRun: boolean;
  /** In-process REST call as the caller. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  openact: OpenAct;
  bus: ExecutorBus;
}

interface ToolEntry {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  run(args: Record<string, unknown>): Promise<unknown>;
}

const ANY_OBJECT = { type: "object", additionalProperties: true } as const;
const toolName = (prefix: string, ...parts: string[]) =>
  `${prefix}_${parts.join("_")}`.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);

async function listAll(ctx: McpContext, path: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let next: string | undefined;
  do {
    const res = await ctx.api(
      "GET",
      `${path}?limit=1000${next ? `&nextToken=${encodeURIComponent(next)}` : ""}`,
    );
    if (res.status !== 200) return out; // the service is not part of this server
    const body = res.body as { items: Record<string, unknown>[]; nextToken?: string };
    out.push(...body.items);
    next = body.nextToken;
  } while (next && out.length < 5000);
  return out;
}

async function tools(ctx: McpContext): Promise<ToolEntry[]> {
  const entries: ToolEntry[] = [];
  for (const action of ctx.openact.store.listActions(ctx.tenant, { limit: 5000 })) {
    entries.push({
      name: toolName("act", action.kind, action.name),
      description: action.description ||
        `OpenAct action ${action.kind}.${action.name} (${action.operation} on ${action.connection})`,
      inputSchema: action.inputSchema ?? ANY_OBJECT,
      run: async (args) => (await ctx.openact.executeAction(ctx.tenant, action, args)).output,
    });
  }
  for (const fn of await listAll(ctx, "/api/v1/functions")) {
    const name = String(fn.name);
    entries.push({
      name: toolName("fn", name),
      description: String(fn.description || `AionixFn function ${name}`),
      inputSchema: (fn.inputSchema as Record<string, unknown>) ?? ANY_OBJECT,
      run: (args) =>
        ctx.bus.execute(`fn:${name}`, ctx.tenant, { input: args, mode: "sync", caller: { service: "mcp" } }),
    });
  }
  for (const wf of await listAll(ctx, "/api/v1/templates")) {
    const name = String(wf.name);
    entries.push({
      name: toolName("wf", name),
      description: String(wf.description || `StepFlow workflow ${name}`) +
        " (runs synchronously; the result carries the execution id, readable as aionix://executions/{id})",
      inputSchema: ANY_OBJECT,
      run: async (args) => {
        const res = await ctx.api("POST", `/api/v1/templates/${encodeURIComponent(name)}/executions`, {
          input: args,
          mode: "sync",
          timeoutSeconds: 60,
        });
        if (res.status >= 400) {
          throw new Error((res.body as { detail?: string })?.detail ?? `HTTP ${res.status}`);
        }
        return res.body;
      },
    });
  }
  return entries;
}

const text = (value: unknown) => ({
  type: "text" as const,
  text: typeof value === "string" ? value : JSON.stringify(value, null, 2),
});

export function createMcpServer(ctx: McpContext): Server {
  const server = new Server(
    { name: "aionix", version: VERSION },
    {
      capabilities: { tools: { listChanged: false }, resources: { listChanged: false } },
      instructions:
        "AionixOne: run OpenAct actions (act_*), functions (fn_*) and workflows (wf_*); read executions as aionix://executions/{id}.",
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: (await tools(ctx)).map(({ name, description, inputSchema }) => ({
      name,
      description,
      inputSchema: { type: "object", ...inputSchema } as { type: "object"; [k: string]: unknown },
    })),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request: CallToolRequest) => {
    const tool = (await tools(ctx)).find((t) => t.name === request.params.name);
    if (!tool) {
      return {
        isError: true,
        content: [text(`unknown tool '${request.params.name}': list the tools again`)],
      };
    }
    if (!ctx.canRun) {
      return { isError: true, content: [text("this token may not run tools: it needs the operator role")] };
    }
    try {
      const result = await tool.run((request.params.arguments ?? {}) as Record<string, unknown>);
      return {
        content: [text(result ?? null)],
        ...(result && typeof result === "object" && !Array.isArray(result)
          ? { structuredContent: result as Record<string, unknown> }
          : {}),
      };
    } catch (err) {
      const problem = err instanceof AppError
        ? { error: err.type, status: err.status, detail: err.message, ...err.extra() }
        : { error: "error", detail: (err as Error).message ?? String(err) };
      return { isError: true, content: [text(problem)] };
    }
  });

  server.setRequestHandler(ListResourcesRequestSchema, async () => {
    const res = await ctx.api("GET", "/api/v1/executions?limit=50");
    const items = res.status === 200 ? (res.body as { items: Record<string, unknown>[] }).items : [];
    return {
      resources: items.map((e) => ({
        uri: `aionix://executions/${e.id}`,
        name: `${e.template} ${e.id}`,
        description: `execution of ${e.template}: ${e.status}`,
        mimeType: "application/json",
      })),
    };
  });

  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [
      {
        uriTemplate: "aionix://executions/{id}",
        name: "execution",
        description: "A workflow execution: status, input, output, error",
        mimeType: "application/json",
      },
      {
        uriTemplate: "aionix://executions/{id}/history",
        name: "execution-history",
        description: "The execution's event history",
        mimeType: "application/json",
      },
    ],
  }));

  server.setRequestHandler(ReadResourceRequestSchema, async (request: ReadResourceRequest) => {
    const uri = request.params.uri;
    const m = /^aionix:\/\/executions\/([A-Za-z0-9_.:-]+)(\/history)?$/.exec(uri);
    if (!m) throw new Error(`unknown resource '${uri}': use aionix://executions/{id}[/history]`);
    const res = await ctx.api("GET", `/api/v1/executions/${encodeURIComponent(m[1])}${m[2] ?? ""}`);
    if (res.status !== 200) {
      throw new Error((res.body as { detail?: string })?.detail ?? `HTTP ${res.status}`);
    }
    return { contents: [{ uri, mimeType: "application/json", text: JSON.stringify(res.body, null, 2) }] };
  });

  return server;
}
