import { assert, assertEquals, assertRejects } from "../../tests/helpers/assert.ts";
import { inProcess } from "../../tests/helpers/inprocess.ts";
import type { SystemEvent } from "../../runtime/events.ts";
import { createAionixFnService, FunctionError } from "./mod.ts";

Deno.test("the aionixfn bus executor runs sync, rejects function errors with FunctionError, queues async and checks existence", async () => {
  const app = await inProcess({ services: [createAionixFnService] });
  try {
    const events: SystemEvent[] = [];
    app.server.deps.events.subscribe((e) => events.push(e));
    const create = (name: string, code: string) =>
      app.json("POST", "/api/v1/functions", { name, runtime: "deno", code });
    assertEquals((await create("double", "export default (e: { x: number }) => e.x * 2")).status, 201);
    assertEquals(
      (await create(
        "fail",
        "export default () => { const e = new Error('card declined'); e.name = 'PaymentError'; throw e; }",
      ))
        .status,
      201,
    );
    const bus = app.server.deps.bus;
    assertEquals(await bus.execute("fn:double", "default", { input: { x: 21 } }), 42);
    assertEquals(
      await bus.execute("trn:aionixfn:default:function/double", "default", { input: { x: 2 } }),
      4,
    );
    const err = await assertRejects(() => bus.execute("fn:fail", "default", { input: {} }), FunctionError);
    assertEquals(err.errorType, "PaymentError");
    assertEquals(err.errorMessage, "card declined");
    assert(err.message.includes("PaymentError"), err.message);
    const failed = events.find((e) => e.detailType === "Function Failed");
    assertEquals(failed?.source, "aionix.aionixfn");
    assertEquals(failed?.detail.function, "fail");
    assertEquals(failed?.detail.errorType, "PaymentError");
    assertEquals(failed?.detail.version, "$LATEST");

    const queued = await bus.execute("fn:double", "default", { input: { x: 5 }, mode: "async" }) as {
      requestId: string;
    };
    assert(queued.requestId, "async resolves with a request id");
    let status = "";
    for (let i = 0; i < 100 && status !== "succeeded"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await app.json<{ status: string }>(
        "GET",
        `/api/v1/functions/double/invocations/${queued.requestId}`,
      )).body
        .status;
    }
    assertEquals(status, "succeeded");

    assert(await bus.exists("fn:double", "default"));
    assert(!(await bus.exists("fn:missing", "default")));
    assert(!(await bus.exists("fn:double:7", "default")), "an unpublished version does not exist");
    await assertRejects(() => bus.execute("fn:missing", "default", {}), Error, "not found");
  } finally {
    await app.close();
  }
});
