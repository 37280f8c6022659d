/**
 * Secret references in function env over real HTTP (and the CLI), both runtimes: only the
 * reference is stored and shown, values are resolved per invocation (a rotation takes effect on
 * the next call), a missing secret fails the invocation with Runtime.SecretNotFound, and — the
 * canary — no resolved value appears in the DB files, server logs, function logs or responses.
 */
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { runCli, startServer } from "../helpers/server.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const rand = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
const C1 = `fnsec1-${rand()}`;
const C2 = `fnsec2-${rand()}-longer`;
const C3 = `fnsec3-${rand()}`;

const enc = new TextEncoder();
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
/** Raw, hex and base64/base64url (all three alignments) forms of a value. */
function forms(value: string): string[] {
  const bytes = enc.encode(value);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const out = [value, hex, hex.toUpperCase()];
  for (let shift = 0; shift < 3; shift++) {
    const padded = new Uint8Array(shift + bytes.length);
    padded.set(bytes, shift);
    const core = b64(padded).replace(/=+$/, "").slice(shift ? 4 : 0, -4);
    out.push(core, core.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return out;
}
const NEEDLES = [C1, C2, C3].flatMap(forms);
function leaks(where: string, haystack: string | Uint8Array): string[] {
  const text = typeof haystack === "string" ? haystack : new TextDecoder("latin1").decode(haystack);
  return NEEDLES.filter((n) => text.includes(n)).map((n) => `${where}: ${n.slice(0, 12)}…`);
}

const DENO_CODE = `export default (event: { fail?: boolean }) => {
  const pw = Deno.env.get("DB_PASSWORD") ?? "";
  console.log("using password", pw);
  if (event.fail) throw new Error("login failed for " + pw);
  return {
    len: pw.length,
    sameAsTrn: Deno.env.get("BY_TRN") === pw,
    objLen: (Deno.env.get("OBJ") ?? "").length,
    plain: Deno.env.get("PLAIN"),
    keys: Object.keys(Deno.env.toObject()).sort(),
  };
};
`;
const PY_CODE = `import os
def handler(event, context):
    pw = os.environ.get("DB_PASSWORD", "")
    print("using password", pw)
    if event.get("fail"):
        raise ValueError("login failed for " + pw)
    return {"len": len(pw), "sameAsTrn": os.environ.get("BY_TRN") == pw,
            "objLen": len(os.environ.get("OBJ", "")), "plain": os.environ.get("PLAIN")}
`;

const ENV = {
  PLAIN: "visible",
  DB_PASSWORD: { secretRef: "db-password" },
  BY_TRN: { secretRef: "trn:credvault:default:credential/db-password", stage: "current" },
  OBJ: { secretRef: "app/obj" },
};

Deno.test("function env secret references: stored as references, resolved per invocation in Deno and Python, never leaked", async () => {
  const s = await startServer({ env: { AIONIX_LOG_LEVEL: "debug" } });
  const responses: { where: string; text: string }[] = [];
  const call = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Json }> => {
    const res = await s.api(method, path, body);
    const text = await res.text();
    responses.push({ where: `${method} ${path} -> ${res.status}`, text });
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  try {
    // The secrets (the creating requests carry values; their responses must not).
    assertEquals((await call("POST", "/api/v1/secrets", { name: "db-password", value: C1 })).status, 201);
    assertEquals(
      (await call("POST", "/api/v1/secrets", {
        name: "app/obj",
        type: "generic",
        value: { user: "u", pw: C3 },
      }))
        .status,
      201,
    );
    const objLen = JSON.stringify({ user: "u", pw: C3 }).length;

    for (
      const [name, runtime, code] of [["ts-sec", "deno", DENO_CODE], ["py-sec", "python", PY_CODE]] as const
    ) {
      const created = await call("POST", "/api/v1/functions", { name, runtime, code, env: ENV, timeout: 10 });
      assertEquals(created.status, 201, JSON.stringify(created.body));
      assertEquals(created.body.env, ENV, "the response shows the references");
      assertEquals((await call("GET", `/api/v1/functions/${name}`)).body.env, ENV);

      const run = await call("POST", `/api/v1/functions/${name}/invoke?logs=true`, {});
      assertEquals(run.body.status, "succeeded", JSON.stringify(run.body));
      assertEquals(run.body.result.len, C1.length);
      assertEquals(run.body.result.sameAsTrn, true);
      assertEquals(run.body.result.objLen, objLen, "an object secret is JSON-encoded");
      assertEquals(run.body.result.plain, "visible");
      if (runtime === "deno") {
        assertEquals(run.body.result.keys, ["BY_TRN", "DB_PASSWORD", "OBJ", "PLAIN"]);
      }
      assert(
        run.body.logs.some((l: string) => l.includes("using password ***")),
        `the value is masked in the function's log lines: ${JSON.stringify(run.body.logs)}`,
      );

      // A function error that echoes the value: masked in the error and the logs.
      const failed = await call("POST", `/api/v1/functions/${name}/invoke?logs=true`, { fail: true });
      assertEquals(failed.body.status, "failed");
      assertMatch(failed.body.error.errorMessage, /login failed for \*\*\*/);

      // Published versions keep the references; the version runs with the resolved value.
      const v1 = await call("POST", `/api/v1/functions/${name}/versions`, {});
      assertEquals(v1.status, 201);
      assertEquals(v1.body.env, ENV);
      assertEquals(
        (await call("POST", `/api/v1/functions/${name}/invoke?qualifier=1`, {})).body.result.len,
        C1.length,
      );

      // Async invocations resolve too (and their stored results hold only what the function returned).
      const queued = await call("POST", `/api/v1/functions/${name}/invoke?type=async`, {});
      assertEquals(queued.status, 202);
      let done: Json;
      for (let i = 0; i < 100; i++) {
        done = (await call("GET", `/api/v1/functions/${name}/invocations/${queued.body.requestId}`)).body;
        if (done.status === "succeeded" || done.status === "failed") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assertEquals(done.status, "succeeded", JSON.stringify(done));
      assertEquals(done.result.len, C1.length);
    }

    const list = await call("GET", "/api/v1/functions");
    for (const f of list.body.items) assertEquals(f.env, ENV, "list shows references only");

    // Rotation takes effect on the next invocation, even with warm workers/processes.
    assertEquals(
      (await call("POST", "/api/v1/secrets/db-password/rotate", { value: C2 })).status < 300,
      true,
    );
    for (const name of ["ts-sec", "py-sec"]) {
      const run = await call("POST", `/api/v1/functions/${name}/invoke`, {});
      assertEquals(run.body.result.len, C2.length, `${name} sees the rotated value`);
      assertEquals(run.body.result.sameAsTrn, true);
    }
    // A stage selects an older version.
    const prev = await call("PUT", "/api/v1/functions/ts-sec", {
      env: { ...ENV, DB_PASSWORD: { secretRef: "db-password", stage: "previous" } },
    });
    assertEquals(prev.status, 200, JSON.stringify(prev.body));
    const prevRun = await call("POST", "/api/v1/functions/ts-sec/invoke", {});
    assertEquals(prevRun.body.result?.len, C1.length, JSON.stringify(prevRun.body));
    assertEquals(prevRun.body.result.sameAsTrn, false, "BY_TRN still reads the current stage");

    // A missing secret fails the invocation with a clear function-style error, in both runtimes.
    for (
      const [name, runtime, code] of [["ts-missing", "deno", DENO_CODE], ["py-missing", "python", PY_CODE]]
    ) {
      assertEquals(
        (await call("POST", "/api/v1/functions", {
          name,
          runtime,
          code,
          env: { PLAIN: "p", DB_PASSWORD: { secretRef: "no-such-secret" } },
        })).status,
        201,
      );
      const run = await call("POST", `/api/v1/functions/${name}/invoke?logs=true`, {});
      assertEquals(run.status, 200);
      assertEquals(run.body.status, "failed");
      assertEquals(run.body.error.errorType, "Runtime.SecretNotFound");
      assertMatch(run.body.error.errorMessage, /DB_PASSWORD.*'no-such-secret'/);
      assert(!run.body.logs.some((l: string) => l.includes("using password")), "the handler did not run");
      assert(run.body.logs.some((l: string) => l.startsWith("REPORT ")), "the invocation is still reported");
    }
    // A missing stage is also "not found".
    await call("PUT", "/api/v1/functions/ts-missing", {
      env: { DB_PASSWORD: { secretRef: "db-password", stage: "pending" } },
    });
    assertEquals(
      (await call("POST", "/api/v1/functions/ts-missing/invoke", {})).body.error.errorType,
      "Runtime.SecretNotFound",
    );

    // Malformed references are 400s naming /env/KEY.
    for (
      const bad of [
        { secretRef: "" },
        { secretRef: "x", stage: "latest" },
        { secretRef: "x", extra: 1 },
        { secretRef: 5 },
        42,
        { secret: "x" },
        { secretRef: "a//b" },
        { secretRef: "trn:paramstore:default:param/x" },
      ]
    ) {
      const r = await call("POST", "/api/v1/functions", {
        name: "bad-ref",
        runtime: "deno",
        code: DENO_CODE,
        env: { DB_PASSWORD: bad },
      });
      assertEquals(r.status, 400, JSON.stringify(bad));
      assert(
        r.body.errors.every((e: Json) => e.path.startsWith("/env/DB_PASSWORD")) &&
          r.body.errors.some((e: Json) => /secretRef|stage is one of|unknown field/.test(e.message)),
        `${JSON.stringify(bad)} → ${JSON.stringify(r.body.errors)}`,
      );
    }
    const foreign = await call("PUT", "/api/v1/functions/ts-sec", {
      env: { K: { secretRef: "trn:credvault:other:credential/db-password" } },
    });
    assertEquals(foreign.status, 400);
    assertEquals(foreign.body.errors[0].path, "/env/K");
    assertMatch(foreign.body.errors[0].message, /tenant 'other'/);

    // The CLI: --env-secret NAME=SECRET[:stage] stores references.
    const cliCreate = await runCli([
      "fn",
      "create",
      "cli-sec",
      "--runtime",
      "deno",
      "--code",
      DENO_CODE,
      "--env",
      "PLAIN=p",
      "--env-secret",
      "DB_PASSWORD=db-password",
      "--env-secret",
      "OLD=db-password:previous",
      "--env-secret",
      "BY_TRN=trn:credvault:default:credential/db-password",
      "--env-secret",
      "OBJ=app/obj:current",
    ], { server: s });
    assertEquals(cliCreate.code, 0, cliCreate.stderr);
    responses.push({ where: "aio fn create", text: cliCreate.stdout + cliCreate.stderr });
    const cliGet = await runCli(["-o", "json", "fn", "get", "cli-sec"], { server: s });
    responses.push({ where: "aio fn get", text: cliGet.stdout + cliGet.stderr });
    assertEquals(JSON.parse(cliGet.stdout).env, {
      PLAIN: "p",
      DB_PASSWORD: { secretRef: "db-password" },
      OLD: { secretRef: "db-password", stage: "previous" },
      BY_TRN: { secretRef: "trn:credvault:default:credential/db-password" },
      OBJ: { secretRef: "app/obj", stage: "current" },
    });
    const cliInvoke = await runCli(["fn", "invoke", "cli-sec", "--data", "{}"], { server: s });
    responses.push({ where: "aio fn invoke", text: cliInvoke.stdout + cliInvoke.stderr });
    assertEquals(cliInvoke.code, 0, cliInvoke.stderr);
    assertMatch(cliInvoke.stdout, new RegExp(`"len": ?${C2.length}`));
    const cliBad = await runCli(["fn", "update", "cli-sec", "--env-secret", "NOVALUE="], { server: s });
    assertEquals(cliBad.code !== 0, true);
    assertMatch(cliBad.stderr, /--env-secret takes NAME=SECRET/);

    // Function logs over the API hold masked lines only.
    for (const name of ["ts-sec", "py-sec", "cli-sec"]) {
      const logs = await call("GET", `/api/v1/functions/${name}/logs?limit=1000`);
      assertEquals(logs.status, 200);
      assert(logs.body.items.some((l: Json) => l.message.includes("***")), `${name} logs were written`);
    }

    // The canary: nothing anywhere holds a value (the detector itself does find every form).
    assert(leaks("self", JSON.stringify({ v: C1 })).length > 0);
    assert(leaks("self", b64(enc.encode("ab" + C2))).length > 0);
    const found: string[] = [];
    for (const r of responses) found.push(...leaks(r.where, r.text));
    for (const suffix of ["", "-wal", "-shm"]) {
      const bytes = await Deno.readFile(`${s.dataDir}/aionix.db${suffix}`).catch(() => undefined);
      if (bytes) found.push(...leaks(`aionix.db${suffix}`, bytes));
    }
    found.push(...leaks("server log", s.logs()));
    assertEquals(found, [], "secret values leaked");
  } finally {
    await s.stop();
  }
  // And after shutdown (WAL checkpointed into the main file).
  const found: string[] = [];
  for (const suffix of ["", "-wal", "-shm"]) {
    const bytes = await Deno.readFile(`${s.dataDir}/aionix.db${suffix}`).catch(() => undefined);
    if (bytes) found.push(...leaks(`aionix.db${suffix} after stop`, bytes));
  }
  found.push(...leaks("server log", s.logs()));
  assertEquals(found, []);
});
