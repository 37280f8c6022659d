/** `aio wf exec watch` (live SSE follow until the end) and `aio wf exec list --kind express`, real server and CLI. */
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { MAIN, runCli, startServer, type TestServer } from "../helpers/server.ts";

/**
 * A wait state, then a callback task that holds the execution until the test completes it
 * (so the watch is provably following live, however slowly the CLI starts).
 */
const waiting = (sink: string) => ({
  entry: "Greet",
  states: {
    Greet: { type: "set", output: { expression: { msg: "{% 'hi ' & input.who %}" } }, next: "Pause" },
    Pause: { type: "wait", seconds: 0.2, next: "Approve" },
    Approve: {
      type: "task",
      action: "http",
      mode: "callback",
      parameters: { url: sink, method: "POST", body: { token: "{% context.task.token %}" } },
      next: "Done",
    },
    Done: { type: "succeed" },
  },
});
/** Starts the CLI and returns its stdout line by line as it is written. */
function spawnCli(server: TestServer, args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { NO_COLOR: "1", AIONIX_ENDPOINT: server.url, AIONIX_TOKEN: server.token },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let partial = "";
  const nextLine = async (): Promise<string | undefined> => {
    for (;;) {
      const i = partial.indexOf("\n");
      if (i >= 0) {
        const line = partial.slice(0, i);
        partial = partial.slice(i + 1);
        lines.push(line);
        return line;
      }
      const { value, done } = await reader.read();
      if (done) return partial ? (lines.push(partial), partial) : undefined;
      partial += value;
    }
  };
  const stderr = new Response(child.stderr).text();
  return { child, lines, nextLine, stderr };
}

Deno.test({
  name: "aio wf exec watch follows a waiting execution live to its end and prints the final status",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sink = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, () => new Response("ok"));
    const server = await startServer({ env: { AIONIX_LOG_LEVEL: "warn" } });
    try {
      const dsl = waiting(`http://127.0.0.1:${sink.addr.port}/approve`);
      assertEquals((await server.json("POST", "/api/v1/templates", { name: "waiting", dsl })).status, 201);
      const started = await server.json<{ id: string }>("POST", "/api/v1/templates/waiting/executions", {
        input: { who: "ada" },
      });
      assertEquals(started.status, 201);
      const id = started.body.id;

      const watch = spawnCli(server, ["wf", "exec", "watch", id]);
      // Replayed or live, the watch reaches the callback task while the execution waits on it.
      for (let line = await watch.nextLine(); line !== undefined; line = await watch.nextLine()) {
        if (line.includes("TaskStarted")) break;
      }
      assert(watch.lines.some((l) => l.includes("TaskStarted")), watch.lines.join("\n"));
      const during = await server.json<{ status: string }>("GET", `/api/v1/executions/${id}`);
      assertEquals(during.body.status, "running");
      const history = await server.json<{ items: { type: string; details?: { token?: string } }[] }>(
        "GET",
        `/api/v1/executions/${id}/history`,
      );
      const token = history.body.items.find((e) => e.type === "TaskScheduled")!.details!.token!;
      // The command's own --output is the task output; -o stays the output format.
      const approved = await runCli(
        ["wf", "task", "success", token, "--output", '{"ok": true}', "-o", "json"],
        { server },
      );
      assertEquals(approved.code, 0, approved.stderr);
      assertEquals(JSON.parse(approved.stdout), { executionId: id, statePath: "Approve" });
      while ((await watch.nextLine()) !== undefined) { /* follow to the end */ }
      const status = await watch.child.status;
      assertEquals(status.code, 0, await watch.stderr);

      const events = watch.lines.slice(0, -1).map((l) => l.split(/\s{2,}/));
      assertEquals(events.map((cols) => cols[2]), [
        "ExecutionStarted",
        "StateEntered",
        "StateExited",
        "StateEntered",
        "WaitStarted",
        "WaitFinished",
        "StateExited",
        "StateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "StateExited",
        "StateEntered",
        "StateExited",
        "ExecutionSucceeded",
      ]);
      assertEquals(events.map((cols) => Number(cols[0])), [...Array(15).keys()]);
      assertEquals([events[4][3], events[8][3]], ["Pause", "Approve"]);
      assertEquals(watch.lines.at(-1), `${id}  succeeded`);

      // An execution that already ended: the whole history replays, then the status (-o json).
      const again = await runCli(["wf", "exec", "watch", id, "-o", "json"], { server });
      assertEquals(again.code, 0, again.stderr);
      const out = again.stdout.trim().split("\n").map((l) => JSON.parse(l));
      assertEquals(out.length, 16);
      assertEquals(out[14].type, "ExecutionSucceeded");
      assertEquals([out[15].id, out[15].status, out[15].output], [id, "succeeded", { ok: true }]);

      const missing = await runCli(["wf", "exec", "watch", "nope"], { server });
      assert(missing.code !== 0);
      assertMatch(missing.stderr, /404/);
    } finally {
      await server.stop();
      await sink.shutdown();
      await Deno.remove(server.dataDir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "aio wf exec list --kind express lists in-memory express executions; the default list does not",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = await startServer({ env: { AIONIX_LOG_LEVEL: "warn" } });
    try {
      const dsl = { entry: "Done", states: { Done: { type: "succeed" } } };
      assertEquals((await server.json("POST", "/api/v1/templates", { name: "quick", dsl })).status, 201);
      const e = await server.json<{ id: string; kind: string }>(
        "POST",
        "/api/v1/templates/quick/executions",
        {
          mode: "sync",
          kind: "express",
        },
      );
      assertEquals([e.status, e.body.kind], [200, "express"]);
      const express = await runCli(["wf", "exec", "list", "--kind", "express"], { server });
      assertEquals(express.code, 0, express.stderr);
      assertMatch(express.stdout, new RegExp(`${e.body.id}\\s+quick:1\\s+succeeded`));
      const stored = await runCli(["wf", "exec", "list"], { server });
      assertEquals(stored.code, 0, stored.stderr);
      assert(!stored.stdout.includes(e.body.id), stored.stdout);
    } finally {
      await server.stop();
      await Deno.remove(server.dataDir, { recursive: true }).catch(() => {});
    }
  },
});
