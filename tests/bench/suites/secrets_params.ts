/**
 * CredVault and ParamStore read latency, server-side: the full app (auth, routing, validation,
 * audit write, decryption / evaluation) called in-process without a socket.
 */
import type { BenchContext } from "../lib.ts";
import { inProcess } from "../../helpers/inprocess.ts";
import { createAuditService } from "../../../runtime/audit/mod.ts";
import { createCredVaultService } from "../../../services/credvault/mod.ts";
import { createParamStoreService } from "../../../services/paramstore/mod.ts";

export default async function (ctx: BenchContext) {
  const s = await inProcess({
    services: [createAuditService, createCredVaultService, createParamStoreService],
  });
  try {
    const ok = async (method: string, path: string, body?: unknown) => {
      const res = await s.request(method, path, body);
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    };
    await ok("POST", "/api/v1/secrets", { name: "db-password", value: "secret123" });
    await ok("PUT", `/api/v1/params/${encodeURIComponent("/app/config/timeout")}`, {
      value: "30",
      type: "number",
    });
    await ok("PUT", `/api/v1/params/${encodeURIComponent("/app/config/double")}`, {
      value: "{% $param('/app/config/timeout') * 2 %}",
      type: "number",
    });
    const timeout = `/api/v1/params/${encodeURIComponent("/app/config/timeout")}`;
    const double = `/api/v1/params/${encodeURIComponent("/app/config/double")}`;
    await ctx.measure("param get (server-side)", () => ok("GET", timeout), {
      iterations: 2000,
      warmup: 200,
      target: "≤ 1 ms",
    });
    await ctx.measure("param get, dynamic $param expression (server-side)", () => ok("GET", double), {
      iterations: 2000,
      warmup: 200,
    });
    await ctx.measure(
      "sec reveal, audited (server-side)",
      () => ok("POST", "/api/v1/secrets/db-password/reveal"),
      {
        iterations: 2000,
        warmup: 200,
        target: "≤ 1 ms",
      },
    );
    const { bus } = s.server.deps;
    await ctx.measure(
      "$secret via bus resolve (StepFlow path)",
      () => bus.execute("sec:db-password", "default", {}),
      {
        iterations: 2000,
        warmup: 200,
      },
    );
    await ctx.measure(
      "$param via bus resolve (StepFlow path)",
      () => bus.execute("param:/app/config/timeout", "default", {}),
      {
        iterations: 2000,
        warmup: 200,
      },
    );
  } finally {
    await s.close();
  }
}
