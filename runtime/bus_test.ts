import { assert, assertEquals, assertRejects, assertThrows } from "../tests/helpers/assert.ts";
import { type ExecuteRequest, ExecutorBus } from "./bus.ts";
import { BadRequestError, GatewayTimeoutError, NotFoundError } from "./errors.ts";
import { formatTrn } from "./trn.ts";

function recorder() {
  const calls: ExecuteRequest[] = [];
  return {
    calls,
    executor: {
      execute(req: ExecuteRequest) {
        calls.push(req);
        return Promise.resolve({ echoed: req.input, trn: formatTrn(req.trn) });
      },
      exists: (trn: { path: string }) => trn.path !== "missing",
    },
  };
}

Deno.test("resolve() maps every shorthand to a TRN in the caller's tenant", () => {
  const bus = new ExecutorBus();
  for (const s of ["aionixfn", "stepflow", "openact", "credvault", "paramstore"] as const) {
    bus.register(s, recorder().executor);
  }
  const t = (a: string) => formatTrn(bus.resolve(a, "prod").trn);
  assertEquals(t("fn:charge"), "trn:aionixfn:prod:function/charge");
  assertEquals(t("fn:charge:live"), "trn:aionixfn:prod:function/charge:live");
  assertEquals(t("wf:child"), "trn:stepflow:prod:template/child");
  assertEquals(t("act:http.get-users"), "trn:openact:prod:action/http/get-users");
  assertEquals(t("param:/app/db/host"), "trn:paramstore:prod:param/app/db/host");
  assertEquals(t("trn:aionixfn:other:function/x:3"), "trn:aionixfn:other:function/x:3");
});

Deno.test("resolve() rejects unknown forms and unregistered services clearly", () => {
  const bus = new ExecutorBus();
  assertThrows(() => bus.resolve("email", "prod"), BadRequestError, "unknown action 'email'");
  assertThrows(() => bus.resolve("act:nodot", "prod"), BadRequestError, "act:KIND.NAME");
  assertThrows(
    () => bus.resolve("fn:charge", "prod"),
    NotFoundError,
    "no executor is registered for aionixfn",
  );
});

Deno.test("execute() passes input, tenant, mode and idempotency key to the executor", async () => {
  const bus = new ExecutorBus();
  const r = recorder();
  bus.register("aionixfn", r.executor);
  const out = await bus.execute("fn:charge", "t1", {
    input: { x: 1 },
    idempotencyKey: "e1:S:1",
    mode: "async",
  });
  assertEquals(out, { echoed: { x: 1 }, trn: "trn:aionixfn:t1:function/charge" });
  assertEquals(r.calls[0].tenant, "t1");
  assertEquals(r.calls[0].mode, "async");
  assertEquals(r.calls[0].idempotencyKey, "e1:S:1");
  assert(r.calls[0].signal instanceof AbortSignal);
});

Deno.test("execute() aborts the executor's signal and rejects at the deadline", async () => {
  const bus = new ExecutorBus();
  let seen: AbortSignal | undefined;
  bus.register("aionixfn", {
    execute: (req) => {
      seen = req.signal;
      return new Promise(() => {});
    },
  });
  await assertRejects(() => bus.execute("fn:slow", "t", { timeoutMs: 20 }), GatewayTimeoutError);
  assertEquals(seen?.aborted, true);
});

Deno.test("execute() propagates the caller's abort to the executor", async () => {
  const bus = new ExecutorBus();
  bus.register("aionixfn", {
    execute: (req) =>
      new Promise((_, reject) =>
        req.signal.addEventListener("abort", () => reject(new Error("aborted by caller")))
      ),
  });
  const controller = new AbortController();
  const run = bus.execute("fn:x", "t", { signal: controller.signal });
  controller.abort();
  await assertRejects(() => run, Error, "aborted by caller");
});

Deno.test("builtins resolve by name and exists() consults the executor", async () => {
  const bus = new ExecutorBus();
  const r = recorder();
  bus.registerBuiltin("http", r.executor);
  bus.register("aionixfn", r.executor);
  assertEquals(bus.resolve("http", "t").builtin, "http");
  assertEquals(await bus.exists("http", "t"), true);
  assertEquals(await bus.exists("fn:there", "t"), true);
  assertEquals(await bus.exists("fn:missing", "t"), false);
  assertEquals(await bus.exists("wf:nobody-registered", "t"), false);
});
