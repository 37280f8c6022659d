/**
 * Test support shared by OpenAct's tests: a loopback HTTP server that records requests, a
 * fake CredVault executor for in-process servers.
 */
import type { ServiceDeps, ServiceFactory } from "../../runtime/service.ts";
import { NotFoundError } from "../../runtime/errors.ts";

export interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

export interface StubServer {
  url: string;
  port: number;
  requests: Recorded[];
  close(): Promise<void>;
}

/** Starts a loopback server; `handler` answers, every request is recorded first. */
export function startStub(
  handler: (req: Request, rec: Recorded) => Response | Promise<Response>,
): Promise<StubServer> {
  const requests: Recorded[] = [];
  return new Promise((resolve) => {
    const server = Deno.serve({
      port: 0,
      hostname: "127.0.0.1",
      onListen: ({ port }) =>
        resolve({
          url: `http://127.0.0.1:${port}`,
          port,
          requests,
          close: async () => {
            await server.shutdown();
          },
        }),
    }, async (req) => {
      const url = new URL(req.url);
      const rec: Recorded = {
        method: req.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: Object.fromEntries(req.headers),
        body: await req.clone().text(),
      };
      requests.push(rec);
      return await handler(req, rec);
    });
  });
}

/** A stand-in CredVault for in-process tests: a map of credential TRN → value, behind the real bus. */
export function fakeCredVault(values: Map<string, unknown>): ServiceFactory {
  return (deps: ServiceDeps) => ({
    name: "fake-credvault",
    migrations: [],
    mount() {
      deps.bus.register("credvault", {
        execute: (req) => {
          const key = `trn:credvault:${req.tenant}:credential/${req.trn.path}`;
          if (!values.has(key)) return Promise.reject(new NotFoundError("credential", req.trn.path));
          return Promise.resolve(values.get(key));
        },
      });
    },
  });
}
