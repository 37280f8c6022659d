/** The real `aio` CLI as a subprocess against a real server. */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../helpers/assert.ts";
import { runCli, startServer } from "../helpers/server.ts";

Deno.test("aio version works without a server; unknown commands exit 2", async () => {
  const v = await runCli(["version"]);
  assertEquals(v.code, 0);
  assertMatch(v.stdout, /^cli \d+\.\d+\.\d+/m);
  const bad = await runCli(["tokn", "list"]);
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.stderr, "Did you mean token?");
  const json = await runCli(["version", "-o", "json"]);
  assertEquals(typeof JSON.parse(json.stdout).cli, "string");
  const badFormat = await runCli(["version", "-o", "xml"]);
  assertEquals(badFormat.code, 2);
});

Deno.test("an unreachable server exits 7 with a hint", async () => {
  const r = await runCli(["token", "list"], {
    env: { AIONIX_ENDPOINT: "http://127.0.0.1:9", AIONIX_TOKEN: "x" },
  });
  assertEquals(r.code, 7);
  assertStringIncludes(r.stderr, "cannot reach the server at http://127.0.0.1:9");
});

Deno.test("aio token create|list|revoke round trip; revoked tokens exit 4", async () => {
  const server = await startServer();
  try {
    const created = await runCli(["token", "create", "ci", "--role", "viewer", "-o", "json"], { server });
    assertEquals(created.code, 0, created.stderr);
    const { token, info } = JSON.parse(created.stdout);
    const list = await runCli(["token", "list"], { server });
    assertStringIncludes(list.stdout, "ci");
    assertStringIncludes(list.stdout, "viewer");
    assertEquals(list.stdout.includes(token), false);
    const wide = await runCli(["token", "list", "-o", "wide"], { server });
    assertStringIncludes(wide.stdout, "LAST USED");
    const yaml = await runCli(["token", "list", "-o", "yaml"], { server });
    assertStringIncludes(yaml.stdout, "role: viewer");
    // The viewer token cannot manage tokens: 403 → exit 4.
    const denied = await runCli(["token", "list"], { server, env: { AIONIX_TOKEN: token } });
    assertEquals(denied.code, 4);
    assertStringIncludes(denied.stderr, "needs the admin role");
    const revoked = await runCli(["token", "revoke", info.id], { server });
    assertEquals(revoked.code, 0);
    const after = await runCli(["version", "--server"], { server, env: { AIONIX_TOKEN: token } });
    assertEquals(after.code, 0, "healthz needs no token");
    const gone = await runCli(["token", "revoke", "nope"], { server });
    assertEquals(gone.code, 5);
  } finally {
    await server.stop();
  }
});

Deno.test("the CLI finds the admin token in --data for a local server", async () => {
  const server = await startServer();
  try {
    const r = await runCli(["--data", server.dataDir, "token", "list", "-o", "json"], {
      env: { AIONIX_ENDPOINT: server.url },
    });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(JSON.parse(r.stdout).items[0].name, "bootstrap-admin");
    const none = await runCli(["token", "list"], {
      env: { AIONIX_ENDPOINT: server.url, AIONIX_DATA: "/nonexistent" },
    });
    assertEquals(none.code, 4);
    assertStringIncludes(none.stderr, "no token found");
  } finally {
    await server.stop();
  }
});

Deno.test("aio admin backup writes a usable copy and refuses to overwrite", async () => {
  const server = await startServer();
  const out = `${await Deno.makeTempDir()}/backup.db`;
  try {
    const r = await runCli(["admin", "backup", out], { server });
    assertEquals(r.code, 0, r.stderr);
    const { DatabaseSync } = await import("node:sqlite");
    const copy = new DatabaseSync(out, { readOnly: true });
    const row = copy.prepare("SELECT COUNT(*) AS n FROM tokens").get() as { n: number };
    copy.close();
    assertEquals(row.n, 1);
    const again = await runCli(["admin", "backup", out], { server });
    assertEquals(again.code, 6);
    assertStringIncludes(again.stderr, "already exists");
  } finally {
    await server.stop();
  }
});

Deno.test("bash completion: sourcing the script completes groups, subcommands, options and choices", async () => {
  const script = await runCli(["completion", "bash"]);
  assertEquals(script.code, 0);
  const file = await Deno.makeTempFile({ suffix: ".bash" });
  await Deno.writeTextFile(file, script.stdout);
  const probe = `
source ${file}
t() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); COMPREPLY=(); _aio_complete; echo "\${COMPREPLY[*]}"; }
t aio to
t aio token ""
t aio --endpoint http://x token re
t aio token create --ro
t aio -o ""
complete -p aio
`;
  const out = await new Deno.Command("bash", { args: ["-c", probe], stdout: "piped", stderr: "piped" })
    .output();
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  assertEquals(new TextDecoder().decode(out.stderr), "");
  assertEquals(lines[0], "token");
  assertEquals(lines[1].split(" ").sort(), ["create", "list", "revoke"]);
  assertEquals(lines[2], "revoke");
  assertEquals(lines[3], "--role");
  assertEquals(lines[4], "table json yaml wide");
  assertStringIncludes(lines[5], "complete -F _aio_complete aio");
});

Deno.test("zsh and fish completion scripts cover the same command tree", async () => {
  const zsh = await runCli(["completion", "zsh"]);
  assertStringIncludes(zsh.stdout, "#compdef aio aionix");
  assertStringIncludes(zsh.stdout, "cmds['token']='create list revoke'");
  const fish = await runCli(["completion", "fish"]);
  assertStringIncludes(fish.stdout, "complete -c aio -n 'test (__aio_path) = '\\''token'\\''' -a 'revoke'");
  const bad = await runCli(["completion", "tcsh"]);
  assertEquals(bad.code, 2);
});

Deno.test("aio docs --format markdown documents every command and the exit codes", async () => {
  const docs = await runCli(["docs", "--format", "markdown"]);
  assertEquals(docs.code, 0);
  for (
    const heading of ["## Global options", "## Exit codes", "### `aio token`", "#### `aio token create`"]
  ) {
    assertStringIncludes(docs.stdout, heading);
  }
  assertStringIncludes(docs.stdout, "| 7 | the server could not be reached |");
  assert(docs.stdout.includes("`--role <role>`"));
});
