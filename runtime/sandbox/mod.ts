/**
 * The function sandbox: runs a FunctionSpec with an event and returns what happened. Deno
 * functions run in permission-restricted Workers inside supervised function-host
 * subprocesses; Python functions in rlimited, privilege-reduced warm processes. Neither ever
 * runs user code inside the server process.
 */
import { DenoHosts } from "./deno_hosts.ts";
import { Materializer } from "./materialize.ts";
import { PythonPool } from "./python_pool.ts";
import type { FunctionSpec, InvokeContext, InvokeOptions, InvokeOutcome, SandboxOptions } from "./types.ts";
import { RUNTIME_ERRORS } from "./types.ts";

export * from "./types.ts";

export class Sandbox {
  #files = new Materializer();
  #deno: DenoHosts;
  #python: PythonPool;
  #closed = false;
  constructor(readonly options: SandboxOptions) {
    this.#deno = new DenoHosts(options, this.#files);
    this.#python = new PythonPool(options, this.#files);
  }

  async invoke(spec: FunctionSpec, event: unknown, ctx: InvokeContext, options: InvokeOptions = {}) {
    if (this.#closed) {
      return {
        ok: false,
        error: { errorType: RUNTIME_ERRORS.aborted, errorMessage: "the sandbox is shutting down", stack: [] },
        durationMs: 0,
        maxMemoryMb: 0,
        coldStart: false,
      } satisfies InvokeOutcome;
    }
    return spec.runtime === "python"
      ? await this.#python.invoke(spec, event, ctx, options)
      : await this.#deno.invoke(spec, event, ctx, options);
  }

  /** Stops warm workers/processes of a configuration that will not be called again. */
  evict(key: string): void {
    this.#deno.evict(key);
    this.#python.evict(key);
    void this.#files.forget(key);
  }

  stats() {
    return { deno: this.#deno.stats(), python: this.#python.stats() };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([this.#deno.close(), this.#python.close()]);
    await this.#files.close();
  }
}
