/**
 * Function code: turns the API's code forms (inline `code`, `files`, base64 `zip`) into the
 * stored form with a content hash, checks the handler against it, and builds the sandbox spec.
 */
import { ValidationError } from "../../runtime/errors.ts";
import { sha256Hex } from "../../runtime/ids.ts";
import type { FunctionSpec } from "../../runtime/sandbox/mod.ts";
import type { FnRunConfig, FnRuntime, StoredCode } from "./types.ts";
import { plainEnv } from "./secrets.ts";
import { unzip } from "./zip.ts";

const MAX_BUNDLE_BYTES = 20 * 1024 * 1024;

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text: string, field: string): Uint8Array {
  try {
    return Uint8Array.from(atob(text.replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  } catch {
    throw new ValidationError([{ path: field, message: "is not valid base64" }]);
  }
}

function checkBundlePath(path: string, field: string) {
  if (
    path.startsWith("/") || path.split("/").some((s) => s === ".." || s === "." || s === "") ||
    path.includes("\\")
  ) {
    throw new ValidationError([{
      path: `${field}/${path.replaceAll("~", "~0").replaceAll("/", "~1")}`,
      message: "bundle paths are relative, without '.', '..' or empty segments",
    }]);
  }
}

/** Exactly one of code/files/zip → the stored form, its hash and size. */
export async function normalizeCode(
  input: { code?: string; files?: Record<string, string>; zip?: string },
): Promise<{ code: StoredCode; codeHash: string; codeSize: number }> {
  const given = (["code", "files", "zip"] as const).filter((k) => input[k] !== undefined);
  if (given.length !== 1) {
    throw new ValidationError([{
      path: given.length ? `/${given[1]}` : "/code",
      message: given.length
        ? `send only one of code, files or zip (got ${given.join(", ")})`
        : "send the function's code as 'code' (inline module), 'files' ({path: content}) or 'zip' (base64)",
    }]);
  }
  if (input.code !== undefined) {
    const code: StoredCode = { kind: "inline", code: input.code };
    return {
      code,
      codeHash: await sha256Hex(input.code),
      codeSize: new TextEncoder().encode(input.code).length,
    };
  }
  let files: Record<string, Uint8Array>;
  if (input.files !== undefined) {
    files = {};
    for (const [path, text] of Object.entries(input.files)) {
      checkBundlePath(path, "/files");
      files[path] = new TextEncoder().encode(text);
    }
  } else {
    files = await unzip(fromBase64(input.zip!, "/zip"), { maxFiles: 1000, maxBytes: MAX_BUNDLE_BYTES });
    for (const path of Object.keys(files)) checkBundlePath(path, "/zip");
  }
  if (!Object.keys(files).length) {
    throw new ValidationError([{ path: "/files", message: "the bundle is empty" }]);
  }
  const size = Object.values(files).reduce((n, b) => n + b.length, 0);
  if (size > MAX_BUNDLE_BYTES) {
    throw new ValidationError([{ path: "/files", message: `the bundle is over ${MAX_BUNDLE_BYTES} bytes` }]);
  }
  const stored: Record<string, string> = {};
  const hashInput: string[] = [];
  for (const path of Object.keys(files).sort()) {
    stored[path] = toBase64(files[path]);
    hashInput.push(path, await sha256Hex(files[path]));
  }
  return {
    code: { kind: "files", entry: "", files: stored },
    codeHash: await sha256Hex(hashInput.join("\n")),
    codeSize: size,
  };
}

export interface ResolvedHandler {
  /** Deno: entry file; Python: module name (inline code is module `main`). */
  entry: string;
  /** Deno: export name; Python: function name. */
  name: string;
}

/** Parses and checks a handler against the code; `handler` undefined → the runtime's default. */
export function resolveHandler(runtime: FnRuntime, handler: string | undefined, code: StoredCode): {
  handler: string;
  resolved: ResolvedHandler;
} {
  const bad = (message: string) => new ValidationError([{ path: "/handler", message }]);
  if (runtime === "deno") {
    if (code.kind === "inline") {
      const h = handler ?? "default";
      if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(h)) {
        throw bad("for inline Deno code the handler is an export name, e.g. 'default' or 'handler'");
      }
      return { handler: h, resolved: { entry: "main.ts", name: h } };
    }
    const h = handler ??
      (["main.ts", "index.ts", "main.js", "index.js"].find((f) => f in code.files) ?? "main.ts");
    const [file, name = "default"] = h.split("#");
    if (!(file in code.files)) {
      throw bad(
        `the bundle has no file '${file}': use 'file.ts#export' naming one of ${
          Object.keys(code.files).slice(0, 10).join(", ")
        }`,
      );
    }
    if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) throw bad(`'${name}' is not an export name`);
    return { handler: h, resolved: { entry: file, name } };
  }
  if (code.kind === "inline") {
    const h = handler ?? "handler";
    const name = h.startsWith("main.") ? h.slice(5) : h;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw bad("for inline Python code the handler is a function name, e.g. 'handler'");
    }
    return { handler: h, resolved: { entry: "main", name } };
  }
  const h = handler ?? "main.handler";
  const dot = h.lastIndexOf(".");
  if (dot <= 0) throw bad("for a Python bundle the handler is 'module.function', e.g. 'main.handler'");
  const module = h.slice(0, dot);
  const name = h.slice(dot + 1);
  const file = module.replaceAll(".", "/") + ".py";
  if (!(file in code.files) && !(module.replaceAll(".", "/") + "/__init__.py" in code.files)) {
    throw bad(`the bundle has no module '${module}' (${file})`);
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw bad(`'${name}' is not a Python function name`);
  return { handler: h, resolved: { entry: module, name } };
}

/** The sandbox spec for one configuration; the key changes whenever anything the worker sees changes. */
export async function buildSpec(
  config: FnRunConfig,
  code: StoredCode,
  codeHash: string,
): Promise<FunctionSpec> {
  const { resolved } = resolveHandler(config.runtime, config.handler, code);
  const key = (await sha256Hex(JSON.stringify([
    config.runtime,
    config.handler,
    codeHash,
    config.env,
    config.permissions,
    config.memory,
  ]))).slice(0, 32);
  const source: FunctionSpec["source"] = code.kind === "inline" ? { kind: "inline", code: code.code } : {
    kind: "files",
    entry: config.runtime === "deno" ? resolved.entry : resolved.entry.replaceAll(".", "/") + ".py",
    files: Object.fromEntries(Object.entries(code.files).map(([p, b64]) => [p, fromBase64(b64, "/files")])),
  };
  return {
    key,
    runtime: config.runtime,
    source,
    handler: resolved.name,
    // Secret references are resolved per invocation by the invoker; only plain values live here.
    env: plainEnv(config.env),
    permissions: config.permissions,
    memoryMb: config.memory,
    timeoutMs: Math.round(config.timeout * 1000),
  };
}
