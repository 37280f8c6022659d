/**
 * Python functions: warm `python3 -I -S -B bootstrap.py` processes per function key, each in
 * its own process group with a cleared environment, a scratch working directory and rlimits
 * (see python_bootstrap.ts). A timeout kills the whole process group; a process that fails
 * fatally is replaced on the next call.
 */
import { LineWriter, readJsonLines, readLines } from "./lines.ts";
import type { Materializer } from "./materialize.ts";
import { PYTHON_BOOTSTRAP } from "./python_bootstrap.ts";
import type {
  FunctionErrorInfo,
  FunctionSpec,
  InvokeContext,
  InvokeOptions,
  InvokeOutcome,
  LogLine,
  SandboxOptions,
} from "./types.ts";
import { RUNTIME_ERRORS } from "./types.ts";

/** Address space beyond the function's memory that the interpreter itself needs. */
const MEMORY_OVERHEAD_MB = 64;

interface Running {
  id: number;
  onLog?: (line: LogLine) => void;
  resolve: (body: Record<string, unknown>) => void;
}

interface Proc {
  child: Deno.ChildProcess;
  key: string;
  writer: LineWriter;
  workDir: string;
  idleSince: number;
  dead: boolean;
  /** Counted out of the live processes of its key (set once). */
  retired: boolean;
  killedForTimeout: boolean;
  init: Promise<{ ok: boolean; error?: FunctionErrorInfo }>;
  running?: Running;
  exited: Promise<Deno.CommandStatus>;
}

export class PythonPool {
  #idle = new Map<string, Proc[]>();
  /** Processes alive per key (idle or busy); at most maxPoolSize, further calls wait for one. */
  #live = new Map<string, number>();
  #waiters = new Map<string, ((proc: Proc | null) => void)[]>();
  #all = new Set<Proc>();
  #bootstrap: Promise<string> | undefined;
  #python: Promise<string> | undefined;
  #nextId = 1;
  #sweeper: ReturnType<typeof setInterval>;
  constructor(private options: SandboxOptions, private files: Materializer) {
    this.#sweeper = setInterval(() => this.sweep(), 1000);
  }

  /** The real interpreter path (a version-manager shim would add ~80 ms to every cold start). */
  #interpreter(): Promise<string> {
    return this.#python ??= (async () => {
      const exe = this.options.python ?? "python3";
      try {
        const out = await new Deno.Command(exe, {
          args: ["-I", "-S", "-c", "import sys; print(sys.executable)"],
          stdout: "piped",
          stderr: "null",
        }).output();
        const path = new TextDecoder().decode(out.stdout).trim();
        return out.success && path ? path : exe;
      } catch {
        return exe;
      }
    })();
  }

  #bootstrapPath(): Promise<string> {
    return this.#bootstrap ??= (async () => {
      const { join } = await import("node:path");
      const path = join(await this.files.root(), "bootstrap.py");
      await Deno.writeTextFile(path, PYTHON_BOOTSTRAP, { mode: 0o644 });
      return path;
    })();
  }

  async #spawn(spec: FunctionSpec): Promise<Proc> {
    const [python, bootstrap, codeDir, workDir] = await Promise.all([
      this.#interpreter(),
      this.#bootstrapPath(),
      this.files.codeDir(spec),
      this.files.workDir(),
    ]);
    const env: Record<string, string> = {};
    for (const name of spec.permissions.env) {
      const value = this.options.env[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(env, spec.env, { HOME: workDir, TMPDIR: workDir, LANG: "C.UTF-8" });
    const child = new Deno.Command(python, {
      args: ["-I", "-S", "-B", bootstrap],
      cwd: workDir,
      clearEnv: true,
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let initDone!: (r: { ok: boolean; error?: FunctionErrorInfo }) => void;
    const proc: Proc = {
      child,
      key: spec.key,
      writer: new LineWriter(child.stdin),
      workDir,
      idleSince: Date.now(),
      dead: false,
      retired: false,
      killedForTimeout: false,
      init: new Promise((r) => (initDone = r)),
      exited: child.status,
    };
    this.#all.add(proc);
    const module = spec.source.kind === "files"
      ? spec.source.entry.replace(/\.py$/, "").replaceAll("/", ".")
      : "main";
    void proc.writer.send({
      codeDir,
      workDir,
      module,
      handler: spec.handler,
      memoryMb: spec.memoryMb,
      memoryOverheadMb: MEMORY_OVERHEAD_MB,
      fileSizeMb: 64,
      openFiles: 256,
      maxProcesses: this.options.pythonMaxProcesses ?? 256,
      logLimit: this.options.logLimit,
      outputLimit: this.options.outputLimit,
      read: spec.permissions.read,
      net: spec.permissions.net,
    });
    const stdout = (async () => {
      for await (const m of readJsonLines(child.stdout)) {
        if (m.t === "init") initDone({ ok: m.ok === true, error: m.error as FunctionErrorInfo });
        const running = proc.running;
        if (m.t === "init") continue;
        if (!running || running.id !== m.id) continue;
        if (m.t === "log") running.onLog?.({ level: String(m.level), text: String(m.text) });
        else if (m.t === "done") running.resolve(m);
      }
    })().catch(() => {});
    const stderr = (async () => {
      for await (const line of readLines(child.stderr)) {
        proc.running?.onLog?.({ level: "stderr", text: line.slice(0, 16384) });
      }
    })().catch(() => {});
    void (async () => {
      const status = await child.status;
      await Promise.allSettled([stdout, stderr]);
      proc.dead = true;
      this.#all.delete(proc);
      if (!proc.running) this.#retire(proc);
      void this.files.removeWorkDir(workDir);
      const how = status.signal ?? `code ${status.code}`;
      initDone({
        ok: false,
        error: {
          errorType: RUNTIME_ERRORS.crashed,
          errorMessage: `the Python process exited (${how}) while loading`,
        },
      });
      if (proc.running) {
        const error = status.signal === "SIGXCPU"
          ? { errorType: RUNTIME_ERRORS.timeout, errorMessage: "the function used up its CPU time limit" }
          : {
            errorType: RUNTIME_ERRORS.crashed,
            errorMessage: `the Python process exited (${how}) during the call`,
          };
        proc.running.resolve({ ok: false, error, fatal: true });
      }
    })();
    return proc;
  }

  #kill(proc: Proc) {
    if (proc.dead) return;
    try {
      Deno.kill(-proc.child.pid, "SIGKILL");
    } catch {
      try {
        proc.child.kill("SIGKILL");
      } catch { /* already gone */ }
    }
  }

  async invoke(spec: FunctionSpec, event: unknown, ctx: InvokeContext, options: InvokeOptions = {}) {
    const started = performance.now();
    let proc: Proc | undefined;
    const idle = this.#idle.get(spec.key);
    while (idle?.length && !proc) {
      const p = idle.pop()!;
      if (!p.dead) proc = p;
    }
    if (!proc && (this.#live.get(spec.key) ?? 0) >= this.options.maxPoolSize) {
      const waiters = this.#waiters.get(spec.key) ?? [];
      this.#waiters.set(spec.key, waiters);
      const handed = await new Promise<Proc | null>((resolve) => waiters.push(resolve));
      if (handed && !handed.dead) proc = handed;
    }
    const coldStart = !proc;
    const fail = (error: FunctionErrorInfo): InvokeOutcome => ({
      ok: false,
      error: { stack: [], ...error },
      durationMs: performance.now() - started,
      maxMemoryMb: 0,
      coldStart,
    });
    if (!proc) {
      this.#live.set(spec.key, (this.#live.get(spec.key) ?? 0) + 1);
      proc = await this.#spawn(spec).catch((err) => {
        this.#unlive(spec.key);
        throw err;
      });
      const init = await proc.init;
      if (!init.ok) {
        this.#retire(proc);
        return fail(
          init.error ?? { errorType: RUNTIME_ERRORS.importError, errorMessage: "the module failed to load" },
        );
      }
    }
    const p = proc;
    const id = this.#nextId++;
    const remaining = Math.max(
      1,
      Math.min(spec.timeoutMs - (performance.now() - started), ctx.deadline - Date.now()),
    );
    const body = await new Promise<Record<string, unknown>>((resolve) => {
      const timer = setTimeout(() => {
        p.killedForTimeout = true;
        resolve({
          ok: false,
          fatal: true,
          error: {
            errorType: RUNTIME_ERRORS.timeout,
            errorMessage: `Task timed out after ${(spec.timeoutMs / 1000).toFixed(2)} seconds`,
          },
        });
        this.#kill(p);
      }, remaining);
      p.running = {
        id,
        onLog: options.onLog,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      void p.writer.send({ t: "invoke", id, event, ctx: { ...ctx }, timeoutMs: spec.timeoutMs });
    });
    p.running = undefined;
    if (body.fatal || p.dead) this.#retire(p);
    else this.#release(p);
    const outcome: InvokeOutcome = {
      ok: body.ok === true,
      json: body.json as string | undefined,
      error: body.error ? { stack: [], ...(body.error as FunctionErrorInfo) } : undefined,
      durationMs: performance.now() - started,
      maxMemoryMb: Math.ceil(Number(body.maxRssKb ?? 0) / 1024),
      coldStart,
    };
    return outcome;
  }

  #unlive(key: string) {
    const n = (this.#live.get(key) ?? 1) - 1;
    if (n > 0) this.#live.set(key, n);
    else this.#live.delete(key);
    this.#waiters.get(key)?.shift()?.(null);
  }

  /** Stops a process and counts it out, so a waiting call may start another. */
  #retire(proc: Proc) {
    this.#kill(proc);
    if (proc.retired) return;
    proc.retired = true;
    this.#unlive(proc.key);
  }

  /** Hands a finished process to the next waiting call, or parks it idle. */
  #release(proc: Proc) {
    const waiter = this.#waiters.get(proc.key)?.shift();
    if (waiter) return waiter(proc);
    const pool = this.#idle.get(proc.key) ?? [];
    proc.idleSince = Date.now();
    pool.push(proc);
    this.#idle.set(proc.key, pool);
  }

  sweep(now = Date.now()) {
    for (const [key, procs] of this.#idle) {
      const keep = procs.filter((p) => {
        if (!p.dead && now - p.idleSince < this.options.idleTtlMs) return true;
        this.#retire(p);
        return false;
      });
      if (keep.length) this.#idle.set(key, keep);
      else this.#idle.delete(key);
    }
  }

  evict(key: string) {
    for (const p of this.#idle.get(key) ?? []) this.#retire(p);
    this.#idle.delete(key);
  }

  stats(): { processes: number; idle: number; pids: number[] } {
    let idle = 0;
    for (const procs of this.#idle.values()) idle += procs.length;
    return { processes: this.#all.size, idle, pids: [...this.#all].map((p) => p.child.pid) };
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    const all = [...this.#all];
    for (const p of all) this.#kill(p);
    await Promise.allSettled(all.map((p) => p.exited));
    this.#idle.clear();
  }
}
