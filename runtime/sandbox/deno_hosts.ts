/**
 * Server side of the Deno function host: starts one host subprocess per tenant and memory size
 * (the V8 heap limit flag applies to every isolate of a process), sends it work, and supervises
 * it. V8 running out of heap in one Worker ends the whole process, so a host that dies fails
 * its in-flight calls — with MemoryLimitExceeded when V8 ran out of heap — and the next call
 * starts a fresh one. Hosts per tenant keep that blast radius inside one tenant: a function of
 * one tenant can never fail another tenant's calls.
 */
import { helperCommand } from "./host_command.ts";
import { LineWriter, readJsonLines } from "./lines.ts";
import type { FunctionSpec, InvokeContext, InvokeOptions, InvokeOutcome, SandboxOptions } from "./types.ts";
import { RUNTIME_ERRORS } from "./types.ts";
import type { Materializer } from "./materialize.ts";

interface Pending {
  resolve: (outcome: InvokeOutcome) => void;
  onLog?: InvokeOptions["onLog"];
  memoryMb: number;
  started: number;
  safety: ReturnType<typeof setTimeout>;
}

interface Host {
  /** `${memoryMb}/${tenant}` */
  key: string;
  memoryMb: number;
  tenant: string;
  child: Deno.ChildProcess;
  writer: LineWriter;
  /** Keys whose load message was sent (or is being prepared) to this host. */
  loaded: Map<string, Promise<void>>;
  pending: Map<number, Pending>;
  stderrTail: string;
  dead: boolean;
  exited: Promise<void>;
}

const hostKey = (memoryMb: number, tenant: string) => `${memoryMb}/${tenant}`;

/** V8 needs some heap of its own beyond what the function uses. */
const HEAP_FLOOR_MB = 32;

export class DenoHosts {
  #hosts = new Map<string, Host>();
  #nextId = 1;
  #closed = false;
  constructor(private options: SandboxOptions, private files: Materializer) {}

  #spawn(memoryMb: number, tenant: string): Host {
    const heap = Math.max(HEAP_FLOOR_MB, memoryMb);
    const command = helperCommand("__fnhost", [`--max-old-space-size=${heap}`]);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.options.env)) if (v !== undefined) env[k] = v;
    const child = new Deno.Command(command.cmd, {
      args: command.args,
      cwd: command.cwd,
      clearEnv: true,
      env: { ...env, ...command.env, NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const host: Host = {
      key: hostKey(memoryMb, tenant),
      memoryMb,
      tenant,
      child,
      writer: new LineWriter(child.stdin),
      loaded: new Map(),
      pending: new Map(),
      stderrTail: "",
      dead: false,
      exited: Promise.resolve(),
    };
    void host.writer.send({
      t: "config",
      maxPoolSize: this.options.maxPoolSize,
      idleTtlMs: this.options.idleTtlMs,
    });
    const stdout = (async () => {
      for await (const m of readJsonLines(child.stdout)) {
        const pending = this.#pendingFor(host, m.id);
        if (!pending) continue;
        if (m.t === "log") pending.onLog?.({ level: String(m.level), text: String(m.text) });
        else if (m.t === "done") {
          host.pending.delete(m.id as number);
          clearTimeout(pending.safety);
          pending.resolve({
            ok: m.ok === true,
            json: m.json as string | undefined,
            error: m.error as InvokeOutcome["error"],
            durationMs: Number(m.durationMs),
            maxMemoryMb: Math.ceil(Number(m.heap ?? 0) / 1048576),
            coldStart: m.cold === true,
          });
        }
      }
    })().catch(() => {});
    const stderr = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of child.stderr) {
        host.stderrTail = (host.stderrTail + decoder.decode(chunk, { stream: true })).slice(-8192);
      }
    })().catch(() => {});
    host.exited = (async () => {
      const status = await child.status;
      await Promise.allSettled([stdout, stderr]);
      host.dead = true;
      if (this.#hosts.get(host.key) === host) this.#hosts.delete(host.key);
      const oom = /out of memory|heap limit/i.test(host.stderrTail);
      const inFlight = host.pending.size;
      for (const [id, p] of host.pending) {
        host.pending.delete(id);
        clearTimeout(p.safety);
        p.resolve({
          ok: false,
          error: oom
            ? {
              errorType: RUNTIME_ERRORS.memory,
              // V8 does not say which isolate ran out, and the host's other calls end with it.
              errorMessage: inFlight > 1
                ? `the function host ran out of memory during the call: this function or another ` +
                  `${host.memoryMb} MB function of tenant '${host.tenant}' exceeded its limit of ${p.memoryMb} MB`
                : `the function exceeded its memory limit of ${p.memoryMb} MB`,
              stack: [],
            }
            : {
              errorType: RUNTIME_ERRORS.crashed,
              errorMessage: `the function host exited (${
                status.signal ?? `code ${status.code}`
              }) during the call`,
              stack: [],
            },
          durationMs: performance.now() - p.started,
          maxMemoryMb: oom ? p.memoryMb : 0,
          coldStart: false,
        });
      }
    })();
    return host;
  }

  #pendingFor(host: Host, id: unknown): Pending | undefined {
    return typeof id === "number" ? host.pending.get(id) : undefined;
  }

  #host(memoryMb: number, tenant: string): Host {
    const key = hostKey(memoryMb, tenant);
    let host = this.#hosts.get(key);
    if (!host || host.dead) {
      host = this.#spawn(memoryMb, tenant);
      this.#hosts.set(key, host);
    }
    return host;
  }

  async invoke(spec: FunctionSpec, event: unknown, ctx: InvokeContext, options: InvokeOptions = {}) {
    const host = this.#host(spec.memoryMb, ctx.tenant);
    let loading = host.loaded.get(spec.key);
    if (!loading) {
      // Registered before the first await so concurrent first calls send one load, not several.
      loading = this.#load(host, spec);
      host.loaded.set(spec.key, loading);
      loading.catch(() => host.loaded.delete(spec.key));
    }
    await loading;
    const id = this.#nextId++;
    const started = performance.now();
    return await new Promise<InvokeOutcome>((resolve) => {
      // Backstop: the host enforces the timeout itself; if it cannot (wedged), kill it.
      const safety = setTimeout(() => {
        try {
          host.child.kill("SIGKILL");
        } catch { /* gone */ }
      }, spec.timeoutMs + 5000);
      host.pending.set(id, { resolve, onLog: options.onLog, memoryMb: spec.memoryMb, started, safety });
      void host.writer.send({
        t: "invoke",
        id,
        key: spec.key,
        event,
        timeoutMs: spec.timeoutMs,
        ctx: { ...ctx, memoryLimitInMB: spec.memoryMb },
      });
    });
  }

  async #load(host: Host, spec: FunctionSpec): Promise<void> {
    const url = await this.#moduleUrl(spec);
    const read = [...spec.permissions.read];
    if (spec.source.kind === "files") read.push(await this.files.codeDir(spec));
    await host.writer.send({
      t: "load",
      key: spec.key,
      url,
      handler: spec.handler,
      env: spec.env,
      outputLimit: this.options.outputLimit,
      logLimit: this.options.logLimit,
      permissions: {
        net: spec.permissions.net.length ? spec.permissions.net : false,
        env: spec.permissions.env.length ? spec.permissions.env : false,
        read: read.length ? read : false,
        write: false,
        run: false,
        ffi: false,
        sys: false,
        import: false,
      },
    });
  }

  async #moduleUrl(spec: FunctionSpec): Promise<string> {
    if (spec.source.kind === "inline") {
      const bytes = new TextEncoder().encode(spec.source.code);
      let binary = "";
      for (let i = 0; i < bytes.length; i += 0x8000) {
        binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      }
      return "data:application/typescript;base64," + btoa(binary);
    }
    const dir = await this.files.codeDir(spec);
    return new URL(`file://${dir}/${spec.source.entry}`).href;
  }

  evict(key: string): void {
    for (const host of this.#hosts.values()) {
      if (host.loaded.delete(key)) void host.writer.send({ t: "evict", key });
    }
  }

  stats(): { hosts: { memoryMb: number; tenant: string; pid: number; inFlight: number }[] } {
    return {
      hosts: [...this.#hosts.values()].map((h) => ({
        memoryMb: h.memoryMb,
        tenant: h.tenant,
        pid: h.child.pid,
        inFlight: h.pending.size,
      })),
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const hosts = [...this.#hosts.values()];
    this.#hosts.clear();
    await Promise.all(hosts.map(async (h) => {
      await h.writer.close();
      const timer = setTimeout(() => {
        try {
          h.child.kill("SIGKILL");
        } catch { /* gone */ }
      }, 2000);
      await h.exited;
      clearTimeout(timer);
    }));
  }
}
