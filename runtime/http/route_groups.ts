/**
 * Route groups: each service's HTTP routes (zod schemas, OpenAPI definitions, handlers) are
 * mounted on the first request under one of the group's path prefixes, or when the OpenAPI
 * document is asked for. Building ~80 OpenAPI routes and their schemas costs more than the
 * rest of start-up together, and an idle server never needs most of them.
 *
 * A group mounts on its own OpenAPIHono (so validation hooks and the OpenAPI registry work as
 * usual); its routes are then copied onto the root app, whose TrieRouter accepts routes after
 * the first match. The request that triggered the mount is dispatched after it, so it sees the
 * new routes, the group's public paths and body limits.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Hono } from "hono";
import type { AppEnv } from "./app.ts";
import { validationFromZod } from "./problem.ts";

export interface RouteGroup {
  /** Shown in logs and errors. */
  name: string;
  /** Path prefixes the group owns: a request to `p` or `p/...` mounts it first. */
  prefixes: string[];
  /** Registers the group's routes (typically after a dynamic import of its routes module). */
  mount(app: OpenAPIHono<AppEnv>): void | Promise<void>;
}

interface GroupState {
  group: RouteGroup;
  app?: OpenAPIHono<AppEnv>;
  mounting?: Promise<void>;
}

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
}

export class RouteGroups {
  #groups: GroupState[] = [];
  #byPrefix: { prefix: string; state: GroupState }[] = [];
  #unmounted = 0;
  #doc?: Record<string, unknown>;

  constructor(private root: Hono<AppEnv>, private onMounted: (name: string, ms: number) => void) {}

  add(group: RouteGroup): void {
    for (const p of group.prefixes) {
      if (!p.startsWith("/") || p.endsWith("/")) {
        throw new Error(`route group ${group.name}: prefix '${p}' must start and not end with '/'`);
      }
      const other = this.#byPrefix.find((e) => e.prefix === p);
      if (other) {
        throw new Error(`route prefix '${p}' is claimed by ${other.state.group.name} and ${group.name}`);
      }
    }
    const state: GroupState = { group };
    this.#groups.push(state);
    this.#unmounted++;
    for (const prefix of group.prefixes) this.#byPrefix.push({ prefix, state });
    // Longest prefix first, so '/api/v1/event-sources' wins over a shorter overlapping claim.
    this.#byPrefix.sort((a, b) => b.prefix.length - a.prefix.length);
    this.#doc = undefined;
  }

  /** The not-yet-mounted group owning `path`, if any. */
  pendingFor(path: string): RouteGroup | undefined {
    if (this.#unmounted === 0) return undefined;
    for (const { prefix, state } of this.#byPrefix) {
      if (path.startsWith(prefix) && (path.length === prefix.length || path[prefix.length] === "/")) {
        return state.app ? undefined : state.group; // the longest claim owns the path
      }
    }
    return undefined;
  }

  get allMounted(): boolean {
    return this.#unmounted === 0;
  }

  mount(group: RouteGroup): Promise<void> {
    const state = this.#groups.find((s) => s.group === group)!;
    if (state.app) return Promise.resolve();
    state.mounting ??= this.#mount(state).catch((err) => {
      state.mounting = undefined; // a failed mount is retried by the next request
      throw err;
    });
    return state.mounting;
  }

  mountAll(): Promise<void> {
    return Promise.all(this.#groups.map((s) => this.mount(s.group))).then(() => {});
  }

  /** The OpenAPI 3.1 document of every group (mounting the ones not mounted yet). */
  async document(info: OpenApiInfo): Promise<Record<string, unknown>> {
    await this.mountAll();
    if (this.#doc) return this.#doc;
    const { OpenAPIHono } = await import("@hono/zod-openapi");
    const docs = new OpenAPIHono<AppEnv>();
    docs.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
    // route() merges a sub-app's OpenAPI registry (and copies its routes, unused here).
    for (const s of this.#groups) docs.route("/", s.app!);
    this.#doc = docs.getOpenAPI31Document({
      openapi: "3.1.0",
      info: { ...info },
      security: [{ bearer: [] }],
    }) as unknown as Record<string, unknown>;
    return this.#doc;
  }

  async #mount(state: GroupState): Promise<void> {
    const t0 = performance.now();
    const { OpenAPIHono } = await import("@hono/zod-openapi");
    const app = new OpenAPIHono<AppEnv>({
      // zod validation failures of params/query/body become 400 problems with JSON pointers.
      defaultHook: (result) => {
        if (!result.success) {
          const where = result.target === "json" ? "" : `/${result.target}`;
          throw validationFromZod(result.error, where);
        }
      },
    });
    await state.group.mount(app);
    this.root.route("/", app);
    state.app = app;
    this.#unmounted--;
    this.#doc = undefined;
    this.onMounted(state.group.name, performance.now() - t0);
  }
}
