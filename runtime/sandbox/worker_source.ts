/**
 * The code that runs inside each permission-restricted Worker of the function host. It is a
 * string (loaded as a data: URL) so the compiled executable needs no source-relative files.
 *
 * Messages in:  {t:"init", url, handler, env, outputLimit, logLimit}
 *               {t:"invoke", id, event, ctx}
 * Messages out: {t:"init", ok, error?} · {t:"log", id, level, text} · {t:"done", id, ok, json?, error?, heap}
 */
export const WORKER_SOURCE = String.raw`
const post = (m) => self.postMessage(m);
let current = null;
let logBytes = 0;
let logLimit = 65536;
let outputLimit = 1048576;
let handlerFn = null;
const inspect = (v) => typeof v === "string" ? v : Deno.inspect(v, { depth: 6, colors: false });
function emit(level, args) {
  if (current === null) return;
  const text = args.map(inspect).join(" ");
  if (logBytes >= logLimit) return;
  logBytes += text.length + 1;
  if (logBytes >= logLimit) {
    post({ t: "log", id: current, level, text: text.slice(0, Math.max(0, logLimit - (logBytes - text.length - 1))) });
    post({ t: "log", id: current, level: "warn", text: "[log output truncated: over " + logLimit + " bytes]" });
    return;
  }
  post({ t: "log", id: current, level, text });
}
for (const level of ["log", "info", "warn", "error", "debug", "trace"]) {
  console[level] = (...args) => emit(level === "trace" ? "debug" : level, args);
}
const heap = () => { try { return Deno.memoryUsage().heapUsed; } catch { return 0; } };
function errorInfo(err, fallbackType) {
  if (err instanceof Error) {
    const stack = typeof err.stack === "string" ? err.stack.split("\n").slice(1).map((s) => s.trim()).filter(Boolean) : [];
    return { errorType: err.name && err.name !== "Error" ? err.name : (fallbackType || "Error"), errorMessage: String(err.message), stack };
  }
  return { errorType: fallbackType || "Error", errorMessage: typeof err === "string" ? err : inspect(err), stack: [] };
}
self.onmessage = async (e) => {
  const m = e.data;
  if (m.t === "init") {
    logLimit = m.logLimit;
    outputLimit = m.outputLimit;
    const configured = m.env || {};
    const envGet = Deno.env.get.bind(Deno.env);
    const envHas = Deno.env.has.bind(Deno.env);
    Deno.env.get = (k) => Object.hasOwn(configured, k) ? configured[k] : envGet(k);
    Deno.env.has = (k) => Object.hasOwn(configured, k) || envHas(k);
    Deno.env.toObject = () => ({ ...configured });
    let mod;
    try {
      mod = await import(m.url);
    } catch (err) {
      const text = String(err && err.message || err);
      const syntax = /SyntaxError|Expected |Unexpected |Unterminated|parse/i.test(text) && !/Module not found|NotCapable/.test(text);
      post({ t: "init", ok: false, error: { errorType: syntax ? "Runtime.UserCodeSyntaxError" : "Runtime.ImportModuleError", errorMessage: text, stack: [] } });
      return;
    }
    const fn = mod[m.handler];
    if (typeof fn !== "function") {
      const found = Object.keys(mod).filter((k) => typeof mod[k] === "function");
      post({ t: "init", ok: false, error: { errorType: "Runtime.HandlerNotFound", errorMessage: "the module has no exported function '" + m.handler + "'" + (found.length ? " (exported functions: " + found.join(", ") + ")" : m.handler === "default" ? ": add 'export default async (event, ctx) => ...'" : ""), stack: [] } });
      return;
    }
    handlerFn = fn;
    post({ t: "init", ok: true });
    return;
  }
  if (m.t === "invoke") {
    current = m.id;
    logBytes = 0;
    const c = m.ctx;
    const ctx = {
      requestId: c.requestId,
      awsRequestId: c.requestId,
      functionTrn: c.functionTrn,
      functionName: c.functionName,
      functionVersion: c.version,
      version: c.version,
      memoryLimitInMB: c.memoryLimitInMB,
      tenant: c.tenant,
      deadline: c.deadline,
      getRemainingTimeInMillis: () => Math.max(0, c.deadline - Date.now()),
      logger: {
        debug: (...a) => emit("debug", a),
        info: (...a) => emit("info", a),
        warn: (...a) => emit("warn", a),
        error: (...a) => emit("error", a),
      },
    };
    const id = m.id;
    let out;
    try {
      const value = await handlerFn(m.event, ctx);
      let json;
      try {
        json = value === undefined ? "null" : JSON.stringify(value);
        if (json === undefined) json = "null";
      } catch (err) {
        out = { t: "done", id, ok: false, error: { errorType: "Runtime.InvalidResult", errorMessage: "the handler's result is not JSON-serialisable: " + String(err && err.message || err), stack: [] } };
      }
      if (!out) {
        out = json.length > outputLimit
          ? { t: "done", id, ok: false, error: { errorType: "OutputLimitExceeded", errorMessage: "the result is " + json.length + " bytes; the limit is " + outputLimit + " bytes", stack: [] } }
          : { t: "done", id, ok: true, json };
      }
    } catch (err) {
      out = { t: "done", id, ok: false, error: errorInfo(err) };
    }
    current = null;
    out.heap = heap();
    post(out);
  }
};
`;
