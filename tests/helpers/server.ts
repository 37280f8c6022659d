/**
 * Test harness: runs the REAL server as a subprocess (`deno run main.ts serve`) on a free
 * port with a fresh data dir, and returns an authenticated fetch helper. kill() sends
 * SIGKILL for crash tests; restart() starts it again on the same data dir.
 */
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const MAIN = `${ROOT}main.ts`;

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  token: string;
  /** Everything the server wrote to stderr/stdout so far. */
  logs(): string;
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  json<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
  kill(): Promise<void>;
  restart(): Promise<void>;
  process: Deno.ChildProcess;
}

export interface StartOptions {
  dataDir?: string;
  env?: Record<string, string>;
  args?: string[];
  config?: string;
}

async function waitForListen(child: Deno.ChildProcess, sink: string[]): Promise<number> {
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const { value, done } = await Promise.race([
      reader.read(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`server did not start within 30 s:\n${buffer}`)),
          deadline - Date.now(),
        );
      }),
    ]).finally(() => clearTimeout(timer));
    if (done) throw new Error(`server exited before listening:\n${sink.join("")}${buffer}`);
    buffer += value;
    const match = /"msg":"listening".*?"port":(\d+)/.exec(buffer);
    if (match) {
      sink.push(buffer);
      (async () => {
        for (;;) {
          const r = await reader.read().catch(() => ({ done: true, value: undefined }));
          if (r.done) break;
          sink.push(r.value!);
        }
      })();
      return Number(match[1]);
    }
  }
  throw new Error("server did not start within 30 s");
}

export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "aionix-test-" });
  const logs: string[] = [];
  let child!: Deno.ChildProcess;
  let port = 0;
  const spawn = async () => {
    const args = ["run", "-A", MAIN, "serve", "--port", "0", "--data", dataDir, ...(options.args ?? [])];
    if (options.config) args.push("--config", options.config);
    child = new Deno.Command(Deno.execPath(), {
      args,
      env: { AIONIX_LOG_LEVEL: "info", ...options.env },
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).spawn();
    (async () => {
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) logs.push(chunk);
    })();
    port = await waitForListen(child, logs);
  };
  await spawn();
  const token = (await Deno.readTextFile(`${dataDir}/admin.token`)).trim();
  const server: TestServer = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get process() {
      return child;
    },
    dataDir,
    token,
    logs: () => logs.join(""),
    api(method, path, body, headers = {}) {
      return fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
    },
    async json(method, path, body) {
      const res = await server.api(method, path, body);
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
    },
    async kill() {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
    },
    async restart() {
      await spawn();
    },
  };
  return server;
}

/** Runs the real CLI (`deno run main.ts ...`) against a server and returns its output. */
export async function runCli(
  args: string[],
  options: { server?: TestServer; env?: Record<string, string>; stdin?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string> = { NO_COLOR: "1", ...options.env };
  if (options.server) {
    env.AIONIX_ENDPOINT = options.server.url;
    env.AIONIX_TOKEN ??= options.server.token;
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env,
    stdin: options.stdin !== undefined ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(options.stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
