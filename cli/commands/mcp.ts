/**
 * `aionix mcp` / `aio mcp`: an MCP server on stdio for local AI clients. It bridges every
 * JSON-RPC message to the server's `/mcp` endpoint (streamable HTTP) with this CLI's token and
 * tenant, so the tools and resources are exactly the server's. Diagnostics go to stderr only.
 */
import type { Command } from "../framework/command.ts";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { contextFor } from "../context.ts";

export function register(program: Command) {
  program.command("mcp")
    .description(
      "Run an MCP server on stdio (actions, functions and workflows as tools), bridged to <endpoint>/mcp",
    )
    .action(async (_o: unknown, cmd: Command) => {
      const client = await contextFor(cmd).client();
      const { StdioServerTransport } = await import("@modelcontextprotocol/sdk/server/stdio.js");
      const { StreamableHTTPClientTransport } = await import(
        "@modelcontextprotocol/sdk/client/streamableHttp.js"
      );
      const remote = new StreamableHTTPClientTransport(new URL(`${client.endpoint}/mcp`), {
        fetch: (url: string | URL | Request, init?: RequestInit) => {
          const u = new URL(url instanceof Request ? url.url : String(url));
          return client.raw(init?.method ?? "GET", u.pathname + u.search, init ?? {});
        },
      });
      const local = new StdioServerTransport();
      const closed = new Promise<void>((resolve) => (local.onclose = resolve));
      remote.onmessage = (message: JSONRPCMessage) => void local.send(message).catch(() => {});
      remote.onerror = (err: Error) => console.error(`mcp: ${err.message}`);
      local.onmessage = (message: JSONRPCMessage) => {
        remote.send(message).catch((err: Error) => {
          console.error(`mcp: ${err.message}`);
          if ("id" in message && "method" in message) {
            void local.send({
              jsonrpc: "2.0",
              id: message.id,
              error: { code: -32603, message: `the AionixOne server did not answer: ${err.message}` },
            }).catch(() => {});
          }
        });
      };
      await remote.start();
      await local.start();
      await closed;
      await remote.close().catch(() => {});
    });
}
