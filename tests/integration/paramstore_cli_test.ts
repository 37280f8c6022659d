/** `aio param` as real subprocesses against a real server. */
import { assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { runCli, startServer } from "../helpers/server.ts";

Deno.test("aio param: set/get exactly as the spec, versions, labels, history, rollback, get-by-path, export/import", async () => {
  const s = await startServer();
  const aio = (args: string[], stdin?: string) => runCli(args, { server: s, stdin });
  try {
    let r = await aio(["param", "set", "/app/config/timeout", "--value", "30"]);
    assertEquals(r.code, 0, r.stderr);
    r = await aio(["param", "get", "/app/config/timeout"]);
    assertEquals([r.code, r.stdout], [0, "30\n"]);

    r = await aio(["param", "set", "/app/config/timeout", "--value", "45", "--type", "number"]);
    assertStringIncludes(r.stdout, "version 2, number");
    r = await aio(["-o", "json", "param", "get", "/app/config/timeout"]);
    assertEquals(JSON.parse(r.stdout).value, 45);
    r = await aio(["param", "get", "/app/config/timeout:1"]);
    assertEquals(r.stdout, "30\n");
    r = await aio(["param", "label", "/app/config/timeout", "prod", "--param-version", "1"]);
    assertEquals(r.code, 0, r.stderr);
    r = await aio(["param", "get", "/app/config/timeout:prod"]);
    assertEquals(r.stdout, "30\n");
    r = await aio(["param", "history", "/app/config/timeout"]);
    assertStringIncludes(r.stdout, "prod");
    r = await aio(["param", "rollback", "/app/config/timeout", "1"]);
    assertStringIncludes(r.stdout, "now version 3");

    await aio(["param", "set", "/app/db/host", "--value-file", "-"], "db.internal\n");
    await aio(["param", "set", "/app/db/url", "--value", "{% 'pg://' & $param('/app/db/host') %}"]);
    r = await aio(["param", "get", "/app/db/url"]);
    assertEquals(r.stdout, "pg://db.internal\n");
    r = await aio(["param", "get", "/app/db/url", "--raw"]);
    assertEquals(r.stdout, "{% 'pg://' & $param('/app/db/host') %}\n");

    r = await aio(["param", "get-by-path", "/app", "--recursive"]);
    for (const p of ["/app/config/timeout", "/app/db/host", "/app/db/url"]) assertStringIncludes(r.stdout, p);
    r = await aio(["-o", "json", "param", "get-by-path", "/app", "--recursive", "--limit", "2"]);
    assertEquals(JSON.parse(r.stdout).items.length, 2);

    r = await aio(["param", "export", "/app", "--format", "env"]);
    assertEquals(r.stdout, "CONFIG_TIMEOUT=30\nDB_HOST=db.internal\nDB_URL=pg://db.internal\n");
    const file = await Deno.makeTempFile({ suffix: ".yaml" });
    r = await aio(["param", "export", "/app", "--format", "yaml"]);
    await Deno.writeTextFile(file, r.stdout);
    r = await aio(["param", "import", "/copy", "--file", file]);
    assertStringIncludes(r.stdout, "imported 3 parameters");
    r = await aio(["param", "get", "/copy/db/url"]);
    assertEquals(r.stdout, "pg://db.internal\n");
    r = await aio(["param", "import", "/envs", "--file", "-", "--format", "env"], "A=1\nB=two\n");
    assertStringIncludes(r.stdout, "imported 2");

    r = await aio(["param", "unlabel", "/app/config/timeout", "prod"]);
    assertEquals(r.code, 0, r.stderr);
    r = await aio(["param", "delete", "/copy/db/url"]);
    assertEquals(r.code, 0, r.stderr);

    // Errors.
    r = await aio(["param", "set", "/bad//path", "--value", "1"]);
    assertEquals(r.code, 3);
    assertStringIncludes(r.stderr, "/path");
    r = await aio(["param", "set", "/app/config/timeout", "--value", "abc", "--type", "number"]);
    assertEquals(r.code, 3);
    assertEquals((await aio(["param", "get", "/app/none"])).code, 5);
    assertEquals((await aio(["param", "get", "/app/config/timeout:9"])).code, 5);
    assertEquals((await aio(["param", "set", "/app/db/host", "--value", "x", "--no-overwrite"])).code, 6);
    assertEquals((await aio(["param", "set", "/app/x"])).code, 2);
    assertEquals((await aio(["param", "export", "/app", "--format", "toml"])).code, 2);
    r = await aio(["audit", "list", "--resource", "trn:paramstore:default:param/app/config/timeout"]);
    assertStringIncludes(r.stdout, "param.rollback");
  } finally {
    await s.stop();
  }
});
