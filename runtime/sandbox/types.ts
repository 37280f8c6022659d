/**
 * The sandbox's public types: what to run (a FunctionSpec), with which per-call context, and
 * what comes back. Shared by the Deno function host, the Python pool and the service.
 */

export type SandboxRuntime = "deno" | "python";

/** Code to run: an inline module, or a bundle of files with an entry module. */
export type FunctionSource =
  | { kind: "inline"; code: string }
  | { kind: "files"; files: Record<string, Uint8Array>; entry: string };

export interface SandboxPermissions {
  /** Hosts (`host` or `host:port`) the code may connect to. Empty: no network. */
  net: string[];
  /** Names of server environment variables the code may read. */
  env: string[];
  /** Absolute paths the code may read. */
  read: string[];
}

export interface FunctionSpec {
  /** Identifies one immutable configuration (code + config); warm workers are pooled per key. */
  key: string;
  runtime: SandboxRuntime;
  source: FunctionSource;
  /** Deno: the export name; Python: the function name in the entry module. */
  handler: string;
  /** Variables configured on the function: always visible to its code. */
  env: Record<string, string>;
  permissions: SandboxPermissions;
  memoryMb: number;
  timeoutMs: number;
}

export interface InvokeContext {
  requestId: string;
  functionTrn: string;
  functionName: string;
  version: string;
  tenant: string;
  /** Epoch ms by which the invocation must finish (min of timeout and caller deadline). */
  deadline: number;
}

export interface FunctionErrorInfo {
  errorType: string;
  errorMessage: string;
  stack?: string[];
}

export interface LogLine {
  /** log | info | warn | error | debug | stdout | stderr */
  level: string;
  text: string;
}

export interface InvokeOutcome {
  ok: boolean;
  /** The handler's return value, JSON-encoded (ok only). */
  json?: string;
  error?: FunctionErrorInfo;
  durationMs: number;
  /** Highest memory seen (Deno: the worker's V8 heap; Python: max RSS), MB. */
  maxMemoryMb: number;
  coldStart: boolean;
}

export interface InvokeOptions {
  onLog?: (line: LogLine) => void;
  signal?: AbortSignal;
}

export interface SandboxOptions {
  /** Warm workers/processes kept per key. */
  maxPoolSize: number;
  /** Idle workers/processes older than this are stopped. */
  idleTtlMs: number;
  /** Largest JSON result accepted from a handler, bytes. */
  outputLimit: number;
  /** Largest log output kept per invocation, bytes; the rest is dropped with a marker. */
  logLimit: number;
  /** Environment of the server (source of values for `permissions.env`). */
  env: Record<string, string | undefined>;
  /** python3 executable (default `python3`). */
  python?: string;
  /** Process limit for Python functions (RLIMIT_NPROC, applied when running as a dropped user). */
  pythonMaxProcesses?: number;
}

/** Runtime error types reported by the platform rather than thrown by user code. */
export const RUNTIME_ERRORS = {
  timeout: "Sandbox.Timedout",
  memory: "MemoryLimitExceeded",
  output: "OutputLimitExceeded",
  syntax: "Runtime.UserCodeSyntaxError",
  importError: "Runtime.ImportModuleError",
  handlerNotFound: "Runtime.HandlerNotFound",
  crashed: "Runtime.ExitError",
  invalidResult: "Runtime.InvalidResult",
  aborted: "Runtime.Cancelled",
} as const;
