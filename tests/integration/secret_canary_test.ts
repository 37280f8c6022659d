/**
 * The canary: unique secret values go through every CredVault/ParamStore API and CLI path,
 * including errors; afterwards the DB file, -wal, -shm, the server log and every HTTP response
 * and CLI output except the reveals themselves must not contain them raw, base64 or hex.
 */
import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals } from "../helpers/assert.ts";
import { runCli, startServer } from "../helpers/server.ts";

const rand = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
const CANARIES = [`cnry1-${rand()}`, `cnry2-${rand()}`, `cnry3-${rand()}`];

const enc = new TextEncoder();
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
/** Every form to look for: raw, hex, and base64/base64url at all three byte alignments. */
function forms(value: string): string[] {
  const bytes = enc.encode(value);
  const out = [value, Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")];
  out.push(out[1].toUpperCase());
  for (let shift = 0; shift < 3; shift++) {
    const padded = new Uint8Array(shift + bytes.length);
    padded.set(bytes, shift);
    const s = b64(padded).replace(/=+$/, "");
    const core = s.slice(shift ? 4 : 0, -4);
    out.push(core, core.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return out;
}
const NEEDLES = CANARIES.flatMap(forms);

function findLeaks(where: string, haystack: string | Uint8Array): string[] {
  const text = typeof haystack === "string" ? haystack : new TextDecoder("latin1").decode(haystack);
  return NEEDLES.filter((n) => text.includes(n)).map((n) => `${where}: ${n}`);
}

Deno.test("secret values never appear in the DB files, logs, HTTP responses or CLI output except reveals", async () => {
  const s = await startServer({ env: { AIONIX_LOG_LEVEL: "debug" } });
  const checked: { where: string; text: string }[] = [];
  let reveals = 0;
  /** Calls the API; `reveal` marks a response that is supposed to carry the value. */
  const api = async (
    method: string,
    path: string,
    body?: unknown,
    opts: { reveal?: boolean; token?: string } = {},
  ) => {
    const res = await s.api(method, path, body, opts.token ? { authorization: `Bearer ${opts.token}` } : {});
    const text = await res.text();
    if (opts.reveal && res.ok) reveals++;
    else {checked.push({
        where: `${method} ${path} -> ${res.status}`,
        text: text + JSON.stringify([...res.headers]),
      });}
    return { status: res.status, text };
  };
  const cli = async (
    args: string[],
    opts: { stdin?: string; reveal?: boolean; env?: Record<string, string> } = {},
  ) => {
    const r = await runCli(args, { server: s, stdin: opts.stdin, env: opts.env });
    if (opts.reveal && r.code === 0) reveals++;
    else checked.push({ where: `aio ${args.join(" ")} -> ${r.code}`, text: r.stdout + r.stderr });
    return r;
  };
  const [c1, c2, c3] = CANARIES;
  const P = (p: string) => `/api/v1/params/${encodeURIComponent(p)}`;
  try {
    const viewer =
      JSON.parse((await api("POST", "/api/v1/tokens", { name: "v", role: "viewer" })).text).token;
    const acme =
      JSON.parse((await api("POST", "/api/v1/tokens", { name: "a", role: "operator", tenant: "acme" })).text)
        .token;

    // CredVault over HTTP, happy paths and errors.
    assertEquals(
      (await api("POST", "/api/v1/secrets", { name: "canary", value: c1, description: "d" })).status,
      201,
    );
    await api("POST", "/api/v1/secrets", { name: "canary", value: c1 });
    await api("POST", "/api/v1/secrets", { name: "cert", type: "certificate", value: c1 });
    await api("POST", "/api/v1/secrets", { name: "gen", type: "generic", value: `{"k":"${c1}"` });
    await api("POST", "/api/v1/secrets", {
      name: "oauth",
      type: "oauth_token",
      value: { [c1]: 1, accessToken: c1 },
    });
    await api("POST", "/api/v1/secrets", { name: "num", type: "password", value: 5 });
    await api("POST", "/api/v1/secrets", { name: "x", value: c1, extra: true });
    assertEquals(
      (await api("POST", "/api/v1/secrets", { name: "obj", type: "generic", value: { user: "u", pw: c3 } }))
        .status,
      201,
    );
    assertEquals(
      (await api("POST", "/api/v1/secrets/canary/reveal", undefined, { reveal: true })).status,
      200,
    );
    await api("POST", "/api/v1/secrets/canary/reveal", undefined, { token: viewer });
    await api("POST", "/api/v1/secrets/canary/reveal", undefined, { token: acme });
    await api("POST", "/api/v1/secrets/canary/reveal", { stage: "pending" });
    await api("GET", "/api/v1/secrets/canary");
    await api("GET", "/api/v1/secrets?includeDeleted=true");
    await api("GET", "/api/v1/secrets/canary/versions");
    await api("POST", "/api/v1/secrets/canary/versions", { value: c2, stage: "pending" });
    await api("POST", "/api/v1/secrets/canary/reveal", { stage: "pending" }, { reveal: true });
    await api("POST", "/api/v1/secrets/cert/rotate", { value: c1 });
    await api("POST", "/api/v1/secrets/canary/rotate", { value: c2 });
    await api("POST", "/api/v1/secrets/canary/rotate", { value: 42 });
    await api("POST", "/api/v1/secrets/obj/rotate", {});
    await api("PATCH", "/api/v1/secrets/canary", { description: "rotated", rotation: { every: "30d" } });
    const versions = JSON.parse((await api("GET", "/api/v1/secrets/canary/versions")).text).items;
    await api("POST", `/api/v1/secrets/canary/versions/${versions[1].versionId}/retire`);
    await api("POST", "/api/v1/secrets/canary/reveal", { versionId: versions[1].versionId });
    await api("POST", `/api/v1/secrets/canary/versions/${versions[1].versionId}/activate`);
    await api("POST", `/api/v1/secrets/canary/versions/${versions[0].versionId}/retire`);
    await api("POST", "/api/v1/secrets/random-password", { length: 16 });
    await api("DELETE", "/api/v1/secrets/canary");
    await api("POST", "/api/v1/secrets/canary/reveal");
    await api("POST", "/api/v1/secrets/canary/restore");
    await api("POST", "/api/v1/admin/master-key/rotate", {});
    await api("POST", "/api/v1/secrets/canary/reveal", undefined, { reveal: true });
    await api("GET", "/api/v1/audit?limit=1000");

    // ParamStore: a secret_ref to the canary; decrypted reads are reveals, everything else is checked.
    await api("PUT", P("/app/db/password"), { value: "canary", type: "secret_ref" });
    await api("PUT", P("/app/db/url"), { value: "{% 'pg://u:' & $param('/app/db/password') & '@h' %}" });
    await api("PUT", P("/app/db/neg"), { value: "{% -$param('/app/db/password') %}" });
    await api("PUT", P("/app/db/num"), { value: "{% $param('/app/db/password') %}", type: "number" });
    await api("PUT", P("/app/db/obj"), { value: "obj", type: "secret_ref" });
    await api("PUT", P("/app/db/objfail"), { value: "{% $param('/app/db/obj').pw + 1 %}" });
    await api("GET", P("/app/db/password"));
    await api("GET", `${P("/app/db/password")}?withDecryption=true`, undefined, { reveal: true });
    await api("GET", `${P("/app/db/url")}?withDecryption=true`, undefined, { reveal: true });
    await api("GET", P("/app/db/url"));
    await api("GET", `${P("/app/db/neg")}?withDecryption=true`);
    await api("GET", `${P("/app/db/num")}?withDecryption=true`);
    await api("GET", `${P("/app/db/objfail")}?withDecryption=true`);
    await api("GET", `${P("/app/db/password")}?withDecryption=true`, undefined, { token: viewer });
    await api("GET", "/api/v1/params?path=/app&recursive=true");
    await api("GET", "/api/v1/params?path=/app/db&recursive=true&withDecryption=true", undefined, {
      reveal: true,
    });
    for (const f of ["env", "json", "yaml"]) await api("GET", `${P("/app")}/export?format=${f}`);
    await api("GET", `${P("/app")}/export?format=json&raw=true`);
    await api("GET", `${P("/app/db/password")}/history`);

    // The CLI, including stdin values and errors.
    assertEquals(
      (await cli(["sec", "create", "cli-secret", "--value-file", "-"], { stdin: c3 + "\n" })).code,
      0,
    );
    assertEquals((await cli(["sec", "reveal", "cli-secret"], { reveal: true })).stdout, c3 + "\n");
    await cli(["sec", "reveal", "cli-secret"], { env: { AIONIX_TOKEN: viewer } });
    await cli(["sec", "get", "cli-secret"]);
    await cli(["-o", "json", "sec", "list"]);
    await cli(["sec", "versions", "cli-secret"]);
    await cli(["sec", "rotate", "cli-secret", "--value-file", "-"], { stdin: c2 });
    await cli(["sec", "rotate", "cli-secret"]);
    await cli(["sec", "create", "cli-bad", "--type", "generic", "--value", c1]);
    await cli(["sec", "create", "cli-secret", "--value", c1]);
    await cli(["sec", "delete", "cli-secret"]);
    await cli(["sec", "restore", "cli-secret"]);
    await cli(["sec", "delete", "cli-secret", "--force"]);
    await cli(["param", "get", "/app/db/password"]);
    await cli(["param", "get", "/app/db/url"]);
    await cli(["param", "export", "/app", "--format", "env"]);
    await cli(["param", "get-by-path", "/app", "--recursive"]);
    await cli(["audit", "list", "--limit", "1000"]);
    await cli(["-o", "json", "audit", "list", "--limit", "1000"]);
    await cli(["admin", "rotate-master-key"]);

    // Tampering with the canary's ciphertext is reported without decrypting.
    const db = new DatabaseSync(`${s.dataDir}/aionix.db`);
    db.exec("PRAGMA busy_timeout = 5000");
    db.exec(
      "UPDATE credvault_versions SET ciphertext = zeroblob(64) WHERE secret_id = (SELECT id FROM credvault_secrets WHERE name = 'obj')",
    );
    db.close();
    assertEquals((await api("POST", "/api/v1/secrets/obj/reveal")).status, 500);

    // The detector itself finds every form.
    assertEquals(findLeaks("self", JSON.stringify({ value: c1 })).length > 0, true);
    for (const shift of ["", "a", "ab"]) {
      assert(findLeaks("self", b64(enc.encode(shift + c2 + "tail"))).length > 0);
    }
    assert(
      findLeaks("self", Array.from(enc.encode(c3), (b) => b.toString(16).padStart(2, "0")).join("")).length >
        0,
    );
    assert(reveals >= 6, `expected the reveals to succeed (${reveals})`);
    const leaks: string[] = [];
    for (const c of checked) leaks.push(...findLeaks(c.where, c.text));
    // The live files, while the server runs (WAL not yet checkpointed)...
    for (const suffix of ["", "-wal", "-shm"]) {
      const file = `${s.dataDir}/aionix.db${suffix}`;
      const bytes = await Deno.readFile(file).catch(() => undefined);
      if (suffix === "-wal") {
        assert(bytes && bytes.length > 0, "the WAL file should exist while the server runs");
      }
      if (bytes) leaks.push(...findLeaks(file, bytes));
    }
    await s.stop();
    // ...and after shutdown.
    for (const suffix of ["", "-wal", "-shm"]) {
      const bytes = await Deno.readFile(`${s.dataDir}/aionix.db${suffix}`).catch(() => undefined);
      if (bytes) leaks.push(...findLeaks(`after stop aionix.db${suffix}`, bytes));
    }
    leaks.push(...findLeaks("server log", s.logs()));
    assert(s.logs().includes('"msg":"request"'), "the server log should hold the request log");
    assert(checked.length > 60, `checked ${checked.length} responses`);
    assertEquals(leaks, []);
  } finally {
    await s.stop();
  }
});
