/** `aio fn` against the real server: create, list, invoke, publish, alias, traffic, logs --follow. */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../helpers/assert.ts";
import { MAIN, ROOT, runCli, startServer } from "../helpers/server.ts";

Deno.test("aio fn create/list/invoke/publish/alias/traffic/logs --follow/delete", async () => {
  const s = await startServer();
  try {
    const cli = (...args: string[]) => runCli(args, { server: s });
    const created = await cli(
      "fn",
      "create",
      "my-func",
      "--runtime",
      "deno",
      "--file",
      `${ROOT}fixtures/functions/echo.ts`,
    );
    assertEquals(created.code, 0, created.stderr);
    assertStringIncludes(created.stdout, "trn:aionixfn:default:function/my-func");
    const py = await cli(
      "fn",
      "create",
      "py-func",
      "--runtime",
      "python",
      "--file",
      `${ROOT}fixtures/functions/echo.py`,
      "--memory",
      "96",
    );
    assertEquals(py.code, 0, py.stderr);

    const list = await cli("fn", "list");
    assertEquals(list.code, 0, list.stderr);
    assertMatch(list.stdout, /NAME\s+RUNTIME/);
    assertMatch(list.stdout, /my-func\s+deno/);
    assertMatch(list.stdout, /py-func\s+python\s+handler\s+96 MB/);

    const invoked = await cli("fn", "invoke", "my-func", "--data", '{"x": 1}');
    assertEquals(invoked.code, 0, invoked.stderr);
    assertEquals(JSON.parse(invoked.stdout).y, 2);
    const pyInvoked = await cli("fn", "invoke", "py-func", "--data", '{"x": 1}', "-o", "json");
    assertEquals(JSON.parse(pyInvoked.stdout).result.y, 3);

    const badJson = await cli("fn", "invoke", "my-func", "--data", "{x:");
    assertEquals(badJson.code, 2);
    assertStringIncludes(badJson.stderr, "--data is not valid JSON");

    assertEquals((await cli("fn", "publish", "my-func")).code, 0);
    await cli("fn", "update", "my-func", "--code", "export default () => ({ y: 'v2' })");
    assertEquals((await cli("fn", "publish", "my-func")).code, 0);
    assertEquals((await cli("fn", "alias", "create", "my-func", "live", "--version", "1")).code, 0);
    const traffic = await cli("fn", "traffic", "my-func", "live", "1=0.8", "2=0.2");
    assertEquals(traffic.code, 0, traffic.stderr);
    assertMatch(traffic.stdout, /live\s+1\s+1=80% 2=20%/);
    const versions = await cli("fn", "versions", "my-func");
    assertMatch(versions.stdout, /^1\s/m);
    assertMatch(versions.stdout, /^2\s/m);

    const follower = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "fn", "logs", "my-func", "--follow", "--limit", "0"],
      env: { AIONIX_ENDPOINT: s.url, AIONIX_TOKEN: s.token, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = follower.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    const deadline = Date.now() + 20_000;
    let invokedWhileFollowing = false;
    while (!seen.includes("REPORT RequestId") && Date.now() < deadline) {
      if (!invokedWhileFollowing) {
        // Give the follower a moment to connect, then invoke.
        await new Promise((r) => setTimeout(r, 1500));
        await cli("fn", "invoke", "my-func", "--data", '{"x": 5}');
        invokedWhileFollowing = true;
      }
      const { value, done } = await Promise.race([
        reader.read(),
        new Promise<{ value: undefined; done: true }>((r) =>
          setTimeout(() => r({ value: undefined, done: true }), 5000)
        ),
      ]);
      if (done && !value) break;
      seen += value ?? "";
    }
    follower.kill("SIGTERM");
    await follower.status;
    await follower.stderr.cancel();
    await reader.cancel().catch(() => {});
    assertMatch(seen, /START RequestId: \S+ Version: \$LATEST/);
    assertMatch(seen, /END RequestId/);
    assertMatch(
      seen,
      /REPORT RequestId: \S+ Duration: [\d.]+ ms Billed Duration: \d+ ms Memory Size: 128 MB/,
    );

    const logs = await cli("fn", "logs", "my-func", "--limit", "50");
    assertEquals(logs.code, 0);
    assert(logs.stdout.includes("START RequestId"), logs.stdout);

    const missing = await cli("fn", "invoke", "nope");
    assertEquals(missing.code, 5, missing.stderr);
    const del = await cli("fn", "delete", "py-func");
    assertEquals(del.code, 0);
    assertEquals((await cli("fn", "get", "py-func")).code, 5);
  } finally {
    await s.stop();
  }
});
