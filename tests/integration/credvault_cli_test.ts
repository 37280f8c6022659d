/** `aio sec` and `aio audit` as real subprocesses against a real server. */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../helpers/assert.ts";
import { runCli, startServer } from "../helpers/server.ts";

Deno.test("aio sec: create/reveal exactly as the spec, stdin values, versions, rotate, lifecycle, errors", async () => {
  const s = await startServer();
  const aio = (args: string[], stdin?: string) => runCli(args, { server: s, stdin });
  try {
    let r = await aio(["sec", "create", "db-password", "--value", "secret123"]);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stdout, "created trn:credvault:default:credential/db-password");
    r = await aio(["sec", "reveal", "db-password"]);
    assertEquals([r.code, r.stdout], [0, "secret123\n"]);

    r = await aio(
      ["sec", "create", "api", "--type", "generic", "--value-file", "-", "--tag", "team=core"],
      '{"k":"v"}\n',
    );
    assertEquals(r.code, 0, r.stderr);
    r = await aio(["-o", "json", "sec", "reveal", "api"]);
    assertEquals(JSON.parse(r.stdout).value, { k: "v" });

    r = await aio(["sec", "rotate", "db-password", "--value-file", "-"], "rotated-pw\n");
    assertEquals(r.code, 0, r.stderr);
    assertMatch(r.stdout, /rotated .*db-password: current version \w+ \(value\)/);
    r = await aio(["sec", "reveal", "db-password"]);
    assertEquals(r.stdout, "rotated-pw\n");
    r = await aio(["sec", "reveal", "db-password", "--stage", "previous"]);
    assertEquals(r.stdout, "secret123\n");

    r = await aio(["-o", "json", "sec", "versions", "db-password"]);
    const versions = JSON.parse(r.stdout).items as { versionId: string; stages: string[] }[];
    assertEquals(versions.map((v) => v.stages), [["current"], ["previous"]]);
    r = await aio(["sec", "versions", "db-password"]);
    assertStringIncludes(r.stdout, "VERSION ID");

    r = await aio(["sec", "retire", "db-password", versions[1].versionId]);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stdout, "is retired");
    r = await aio(["sec", "reveal", "db-password", "--version-id", versions[1].versionId]);
    assertEquals(r.code, 6);
    r = await aio(["sec", "activate", "db-password", versions[1].versionId]);
    assertStringIncludes(r.stdout, "is active");

    r = await aio(["sec", "list"]);
    assertStringIncludes(r.stdout, "db-password");
    assert(!r.stdout.includes("rotated-pw"));
    r = await aio(["-o", "json", "sec", "get", "db-password"]);
    assertEquals(JSON.parse(r.stdout).versionCount, 2);

    r = await aio(["sec", "update", "db-password", "--rotate-every", "30d", "--description", "main"]);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stdout, "nextRotationAt");
    r = await aio(["sec", "rotate", "db-password"]);
    assertStringIncludes(r.stdout, "(generated)");

    r = await aio(["sec", "delete", "db-password"]);
    assertStringIncludes(r.stdout, "will be purged at");
    r = await aio(["sec", "reveal", "db-password"]);
    assertEquals(r.code, 6);
    assertStringIncludes(r.stderr, "scheduled for deletion");
    r = await aio(["sec", "restore", "db-password"]);
    assertEquals(r.code, 0, r.stderr);
    r = await aio(["sec", "delete", "api", "--force"]);
    assertStringIncludes(r.stdout, "deleted trn:credvault:default:credential/api");

    r = await aio(["sec", "random-password", "--length", "20", "--exclude-punctuation"]);
    assertMatch(r.stdout.trim(), /^[A-Za-z0-9]{20}$/);

    // Errors: usage (2), invalid (3), auth (4), not found (5), conflict (6).
    assertEquals((await aio(["sec", "create", "novalue"])).code, 2);
    r = await aio(["sec", "create", "bad", "--type", "certificate", "--value", "nope"]);
    assertEquals(r.code, 3);
    assertStringIncludes(r.stderr, "/value");
    assertEquals((await aio(["sec", "reveal", "missing"])).code, 5);
    assertEquals((await aio(["sec", "create", "db-password", "--value", "x"])).code, 6);
    const viewer =
      (await s.json<{ token: string }>("POST", "/api/v1/tokens", { name: "v", role: "viewer" })).body.token;
    r = await runCli(["sec", "reveal", "db-password"], { server: s, env: { AIONIX_TOKEN: viewer } });
    assertEquals(r.code, 4);
    assertStringIncludes(r.stderr, "operator role");

    r = await aio(["audit", "list", "--resource", "trn:credvault:default:credential/db-password"]);
    assertEquals(r.code, 0, r.stderr);
    for (const a of ["secret.create", "secret.reveal", "secret.rotate", "secret.delete", "secret.restore"]) {
      assertStringIncludes(r.stdout, a);
    }
    assertStringIncludes(r.stdout, "denied");
    r = await aio(["-o", "json", "audit", "list", "--action", "secret.reveal", "--limit", "1"]);
    const page = JSON.parse(r.stdout);
    assertEquals(page.items.length, 1);
    assert(page.nextToken);
  } finally {
    await s.stop();
  }
});
