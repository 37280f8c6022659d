/** Starts a configured server on a socket: the glue between main.ts, server.ts and Deno.serve. */
import type { Config } from "../config.ts";
import { createLogger } from "../log.ts";
import { serve } from "./serve.ts";
import type { AionixServer, ServerOptions } from "../../server.ts";

export async function startServer(
  config: Config,
  options: {
    env: Record<string, string | undefined>;
    createServer: (config: Config, options: ServerOptions) => Promise<AionixServer>;
  },
) {
  const started = performance.now();
  const logger = createLogger({ level: config.logging.level });
  let server: AionixServer;
  try {
    server = await options.createServer(config, {
      env: options.env,
      logger,
      printToken: (token, file) => {
        console.log(`Admin token (saved to ${file}; shown only once):\n  ${token}`);
      },
    });
  } catch (err) {
    logger.error("start failed", { err: (err as Error).message });
    console.error(`aionix: cannot start: ${(err as Error).message}`);
    Deno.exit(1);
  }
  let running;
  try {
    running = await serve(server.fetch, {
      port: config.server.port,
      hostname: config.server.host,
      logger,
      graceSeconds: config.server.shutdown_grace,
      onDrain: () => server.setDraining(),
      onShutdown: () => server.close(),
    });
  } catch (err) {
    await server.close();
    console.error(
      `aionix: cannot listen on ${config.server.host}:${config.server.port}: ${(err as Error).message}`,
    );
    Deno.exit(1);
  }
  const host = running.hostname.includes(":") ? `[${running.hostname}]` : running.hostname;
  // Always emitted (whatever the level): scripts and tests wait for this line.
  createLogger({ level: "info" }).info("listening", {
    url: `http://${host}:${running.port}`,
    port: running.port,
    data: server.deps.dataDir,
    startupMs: Math.round(performance.now() - started),
  });
  return running;
}
