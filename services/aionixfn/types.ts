/** AionixFn's public data shapes (the CLI and Studio may `import type` these). */

export type FnRuntime = "deno" | "python";

export interface FnPermissions {
  /** Hosts (`host` or `host:port`) the function may connect to. */
  net: string[];
  /** Names of server environment variables the function may read. */
  env: string[];
  /** Absolute paths the function may read. */
  read: string[];
}

export interface FnDestinations {
  /** `fn:NAME[:qualifier]`, `wf:NAME` or `event` (a system event). */
  onSuccess?: string;
  onFailure?: string;
}

/** An env value resolved from CredVault at each invocation; only the reference is stored. */
export interface SecretRef {
  /** A secret name in the function's tenant, or its full `trn:credvault:…` TRN. */
  secretRef: string;
  /** Default `current`. */
  stage?: "current" | "pending" | "previous";
}

/** A plain value, or a secret reference. */
export type EnvValue = string | SecretRef;

/** What the function's code is: an inline module or a bundle of files. */
export type StoredCode =
  | { kind: "inline"; code: string }
  | { kind: "files"; entry: string; files: Record<string, string> /* base64 */ };

/** The versioned part of a function's configuration. */
export interface FnRunConfig {
  runtime: FnRuntime;
  handler: string;
  /** Seconds. */
  timeout: number;
  /** MB. */
  memory: number;
  env: Record<string, EnvValue>;
  permissions: FnPermissions;
  description: string;
}

/** Function-level settings that are not versioned (as in Lambda). */
export interface FnSettings {
  reservedConcurrency: number | null;
  destinations: FnDestinations;
  maxRetries: number;
}

export interface FunctionInfo extends FnRunConfig, FnSettings {
  name: string;
  trn: string;
  codeKind: "inline" | "files";
  codeHash: string;
  codeSize: number;
  latestVersion: number | null;
  createdAt: string;
  updatedAt: string;
  /** Only on GET with ?code=true. */
  code?: StoredCode;
}

export interface VersionInfo extends FnRunConfig {
  version: number;
  trn: string;
  codeHash: string;
  codeSize: number;
  createdAt: string;
}

export interface AliasInfo {
  name: string;
  trn: string;
  functionName: string;
  /** The primary version (a number as a string, or `$LATEST`). */
  version: string;
  /** Traffic weights by version, summing to 1, or null when all traffic goes to `version`. */
  weights: Record<string, number> | null;
  description: string;
  createdAt: string;
  updatedAt: string;
}

export interface FunctionErrorBody {
  errorType: string;
  errorMessage: string;
  stack: string[];
}

export interface InvokeResult {
  requestId: string;
  functionTrn: string;
  /** The version that ran (`$LATEST` or a number). */
  version: string;
  status: "succeeded" | "failed";
  result?: unknown;
  error?: FunctionErrorBody;
  durationMs: number;
  billedDurationMs: number;
  maxMemoryMb: number;
  memoryMb: number;
  coldStart: boolean;
  /** The invocation's log lines, with `?logs=true`. */
  logs?: string[];
}

export type AsyncStatus = "queued" | "running" | "succeeded" | "failed";

export interface AsyncInvocation {
  requestId: string;
  functionName: string;
  qualifier: string;
  status: AsyncStatus;
  attempts: number;
  maxAttempts: number;
  version?: string;
  result?: unknown;
  error?: FunctionErrorBody;
  createdAt: string;
  updatedAt: string;
}

export interface LogEntry {
  seq: number;
  time: string;
  functionName: string;
  version: string;
  requestId: string;
  level: string;
  message: string;
}
