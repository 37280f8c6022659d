/**
 * Shared pieces of StepFlow's integration tests: a fake `aionixfn` executor registered on the
 * bus (so fn: tasks run without AionixFn), and small request helpers.
 */
import type { ServiceDeps, ServiceModule } from "../../runtime/service.ts";
import { AppError } from "../../runtime/errors.ts";
import type { InProcess } from "../helpers/inprocess.ts";

class FakeFunctionError extends AppError {
  override readonly status: number = 502;
  constructor(readonly errorType: string, readonly errorMessage: string) {
    super(`${errorType}: ${errorMessage}`);
  }
}

export interface FakeCall {
  name: string;
  input: unknown;
  key?: string;
  caller?: Record<string, unknown>;
}

/** fn:echo, fn:double, fn:fail (errorType from input.type), fn:slow (input.ms, honours abort), fn:count. */
export function fakeFunctions(calls: FakeCall[] = []) {
  return (deps: ServiceDeps): ServiceModule => ({
    name: "fakefn",
    migrations: [],
    mount() {
      deps.bus.register("aionixfn", {
        exists: (trn) => ["echo", "double", "fail", "slow", "count"].includes(trn.path),
        async execute(req) {
          const name = req.trn.path;
          calls.push({ name, input: req.input, key: req.idempotencyKey, caller: req.caller });
          const input = req.input as Record<string, unknown>;
          switch (name) {
            case "echo":
              return req.input;
            case "double":
              return (input.n as number) * 2;
            case "fail":
              throw new FakeFunctionError(
                String(input?.type ?? "Custom.Error"),
                String(input?.message ?? "it failed"),
              );
            case "slow":
              await new Promise<void>((resolve, reject) => {
                const t = setTimeout(resolve, Number(input?.ms ?? 10_000));
                req.signal.addEventListener("abort", () => {
                  clearTimeout(t);
                  reject(req.signal.reason);
                }, { once: true });
              });
              return "slow done";
            case "count":
              return calls.filter((c) => c.name === "count").length;
          }
          throw new Error("unknown fake function");
        },
      });
    },
  });
}

export async function createTemplate(app: InProcess, name: string, dsl: unknown) {
  const r = await app.json("POST", "/api/v1/templates", { name, dsl });
  if (r.status !== 201) throw new Error(`create ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function runSync<T = Record<string, unknown>>(
  app: InProcess,
  name: string,
  input: unknown,
  extra = {},
) {
  const r = await app.json<T>("POST", `/api/v1/templates/${name}/executions`, {
    input,
    mode: "sync",
    ...extra,
  });
  if (r.status !== 200) throw new Error(`run ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error("waitFor timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}
