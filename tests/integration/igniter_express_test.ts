import { assert, assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { runCli, startServer } from "../helpers/server.ts";

Deno.test("aio tr --target-kind express: an event rule starts an express execution of its workflow in the real StepFlow", async () => {
  const server = await startServer();
  try {
    const aio = (...args: string[]) => runCli(args, { server });
    const wf = await server.json("POST", "/api/v1/templates", {
      name: "greet",
      dsl: {
        entry: "Done",
        states: { Done: { type: "succeed", output: { expression: { hi: "{% input.detail.who %}" } } } },
      },
    });
    assertEquals(wf.status, 201, JSON.stringify(wf.body));
    const created = await aio(
      "tr",
      "create",
      "greeter",
      "--trigger-type",
      "event",
      "--target",
      "wf:greet",
      "--target-kind",
      "express",
      "--enable",
      "--config",
      '{"pattern": {"source": ["people"]}}',
    );
    assertEquals(created.code, 0, created.stderr);
    const list = await aio("tr", "list");
    assert(/greeter\s+event\s+yes\s+wf:greet \(express\)/.test(list.stdout), list.stdout);
    const bad = await aio("tr", "update", "greeter", "--target-kind", "turbo");
    assertEquals(bad.code, 2);
    assertStringIncludes(bad.stderr, "--target-kind must be durable, express or none");

    const put = await aio(
      "events",
      "put",
      "--source",
      "people",
      "--detail-type",
      "Hello",
      "--detail",
      '{"who": "Ada"}',
    );
    assertEquals(put.code, 0, put.stderr);
    let firing: { status: string; executionId?: string } | undefined;
    for (let i = 0; i < 50 && !firing?.executionId; i++) {
      firing = (await server.json<{ items: typeof firing[] }>("GET", "/api/v1/triggers/greeter/history")).body
        .items[0];
      if (!firing?.executionId) await new Promise((r) => setTimeout(r, 100));
    }
    assertEquals(firing?.status, "dispatched");
    let execution: { status: string; output?: unknown; kind?: string } | undefined;
    for (let i = 0; i < 50 && execution?.status !== "succeeded"; i++) {
      execution =
        (await server.json<typeof execution>("GET", `/api/v1/executions/${firing!.executionId}`)).body;
      if (execution?.status !== "succeeded") await new Promise((r) => setTimeout(r, 100));
    }
    assertEquals(execution?.status, "succeeded");
    assertEquals(execution?.output, { hi: "Ada" });
    assertEquals(execution?.kind, "express");
    // StepFlow's "Execution Succeeded" system event closes the firing's run status.
    let runStatus: string | undefined;
    for (let i = 0; i < 50 && runStatus !== "succeeded"; i++) {
      runStatus =
        (await server.json<{ items: { runStatus?: string }[] }>("GET", "/api/v1/triggers/greeter/history"))
          .body.items[0].runStatus;
      if (runStatus !== "succeeded") await new Promise((r) => setTimeout(r, 100));
    }
    assertEquals(runStatus, "succeeded");

    const cleared = await aio("tr", "update", "greeter", "--target-kind", "none", "-o", "json");
    assertEquals(JSON.parse(cleared.stdout).targetOptions, undefined);
  } finally {
    await server.stop();
  }
});
