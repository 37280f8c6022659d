/** Runs a fetch handler on Deno.serve with graceful shutdown on SIGINT/SIGTERM. */
import type { Logger } from "../log.ts";

export interface ServeOptions {
  port: number;
  hostname: string;
  logger: Logger;
  /** Seconds to let in-flight requests finish before closing. */
  graceSeconds: number;
  /** Called once the listener is up with the real address (port 0 picks a free port). */
  onListen?: (addr: { hostname: string; port: number }) => void;
  /** Called after the listener stopped and requests drained: close services and the DB here. */
  onShutdown: () => Promise<void>;
  /** Called when the shutdown starts, before draining (readiness flips to 503). */
  onDrain?: () => void;
}

export interface RunningServer {
  port: number;
  hostname: string;
  shutdown(reason?: string): Promise<void>;
  finished: Promise<void>;
}

export function serve(handler: (req: Request) => Response | Promise<Response>, options: ServeOptions) {
  let resolveAddr!: (a: { hostname: string; port: number }) => void;
  const listening = new Promise<{ hostname: string; port: number }>((r) => (resolveAddr = r));
  const server = Deno.serve({
    port: options.port,
    hostname: options.hostname,
    onListen: (addr) => resolveAddr(addr as { hostname: string; port: number }),
  }, handler);
  let stopping: Promise<void> | undefined;
  const shutdown = (reason = "shutdown") => {
    stopping ??= (async () => {
      options.logger.info("shutting down", { reason });
      options.onDrain?.();
      const grace = new Promise<"timeout">((r) =>
        setTimeout(() => r("timeout"), options.graceSeconds * 1000)
      );
      const drained = await Promise.race([server.shutdown().then(() => "drained" as const), grace]);
      if (drained === "timeout") options.logger.warn("grace period over; closing with requests in flight");
      await options.onShutdown();
      options.logger.info("stopped");
    })();
    return stopping;
  };
  const onSignal = (sig: Deno.Signal) => () => {
    shutdown(sig).then(() => Deno.exit(0));
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const sig of signals) Deno.addSignalListener(sig, onSignal(sig));
  return listening.then((addr): RunningServer => {
    options.onListen?.(addr);
    return { ...addr, shutdown, finished: server.finished };
  });
}
