/**
 * Rotation through a rotation function (a fake `aionixfn` executor on the bus), scheduled
 * rotation and purges driven by FakeClock, and the bus executors StepFlow uses.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../helpers/assert.ts";
import { inProcess } from "../helpers/inprocess.ts";
import { FakeClock } from "../../runtime/clock.ts";
import type { ServiceDeps } from "../../runtime/service.ts";
import type { SystemEvent } from "../../runtime/events.ts";
import { AppError } from "../../runtime/errors.ts";
import { createAuditService } from "../../runtime/audit/mod.ts";
import { createCredVaultService, resolveSecret } from "../../services/credvault/mod.ts";
import { createParamStoreService, resolveParam } from "../../services/paramstore/mod.ts";

interface Call {
  fn: string;
  step: string;
  secretId: string;
  versionId: string;
}

class FunctionError extends AppError {
  override readonly status = 502;
}

/** A stand-in for AionixFn: records calls and can fail a chosen step. */
function fakeFunctions(calls: Call[], options: { failStep?: () => string | undefined; noValue?: boolean }) {
  return (deps: ServiceDeps) => ({
    name: "fake-aionixfn",
    migrations: [],
    mount() {
      deps.bus.register("aionixfn", {
        execute(req) {
          const input = req.input as { step: string; secretId: string; versionId: string };
          calls.push({ fn: req.trn.path, ...input });
          if (options.failStep?.() === input.step) {
            return Promise.reject(new FunctionError(`DbError: password change refused in ${input.step}`));
          }
          if (input.step === "create") {
            return Promise.resolve(options.noValue ? { ok: true } : { value: `rotated-${calls.length}` });
          }
          return Promise.resolve({ ok: true });
        },
      });
    },
  });
}

/** Polls check(); with a clock, moves it a second per try so timers re-armed by async work fire. */
async function until(check: () => Promise<boolean>, what: string, clock?: FakeClock) {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    if (clock) await clock.advance(1000);
    else await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

Deno.test("rotation function runs create/set/test/finish and promotes the new version", async () => {
  const calls: Call[] = [];
  const s = await inProcess({
    services: [createAuditService, createCredVaultService, createParamStoreService, fakeFunctions(calls, {})],
  });
  const events: SystemEvent[] = [];
  s.server.deps.events.subscribe((e) => events.push(e));
  try {
    await s.json("POST", "/api/v1/secrets", { name: "db", value: "v1", rotation: { function: "rotate-db" } });
    const r = await s.json<{ versionId: string; method: string }>("POST", "/api/v1/secrets/db/rotate");
    assertEquals(r.status, 200, JSON.stringify(r.body));
    assertEquals(r.body.method, "function");
    assertEquals(calls.map((c) => c.step), ["create", "set", "test", "finish"]);
    assert(calls.every((c) => c.fn === "rotate-db" && c.secretId === "trn:credvault:default:credential/db"));
    assert(calls.every((c) => c.versionId === r.body.versionId));
    const now = await s.json<{ value: string; versionId: string }>("POST", "/api/v1/secrets/db/reveal");
    assertEquals([now.body.value, now.body.versionId], ["rotated-1", r.body.versionId]);
    assertEquals(
      (await s.json<{ value: string }>("POST", "/api/v1/secrets/db/reveal", { stage: "previous" })).body
        .value,
      "v1",
    );
    assertEquals(events.length, 1);
    assertEquals(events[0].source, "aionix.credvault");
    assertEquals(events[0].detailType, "Secret Rotated");
    assertEquals(events[0].detail, {
      name: "db",
      trn: "trn:credvault:default:credential/db",
      versionId: r.body.versionId,
    });
  } finally {
    await s.close();
  }
});

Deno.test("a failed rotation step leaves current untouched and retires the new version", async () => {
  const calls: Call[] = [];
  let fail: string | undefined = "test";
  const s = await inProcess({
    services: [createAuditService, createCredVaultService, fakeFunctions(calls, { failStep: () => fail })],
  });
  const events: SystemEvent[] = [];
  s.server.deps.events.subscribe((e) => events.push(e));
  try {
    await s.json("POST", "/api/v1/secrets", { name: "db", value: "v1", rotation: { function: "rotate-db" } });
    const r = await s.json<{ step: string; detail: string }>("POST", "/api/v1/secrets/db/rotate");
    assertEquals(r.status, 502);
    assertEquals(r.body.step, "test");
    assertStringIncludes(r.body.detail, "password change refused");
    assertStringIncludes(r.body.detail, "current version is unchanged");
    assertEquals(calls.map((c) => c.step), ["create", "set", "test"]);
    assertEquals((await s.json<{ value: string }>("POST", "/api/v1/secrets/db/reveal")).body.value, "v1");
    const versions = await s.json<{ items: { state: string; stages: string[] }[] }>(
      "GET",
      "/api/v1/secrets/db/versions",
    );
    assertEquals(versions.body.items.map((v) => [v.state, v.stages]), [["retired", []], ["active", [
      "current",
    ]]]);
    const secret = await s.json<{ lastRotation: { status: string; step: string } }>(
      "GET",
      "/api/v1/secrets/db",
    );
    assertEquals([secret.body.lastRotation.status, secret.body.lastRotation.step], ["failed", "test"]);
    assertEquals(events.length, 0);
    const audit = await s.json<{ items: { outcome: string }[] }>("GET", "/api/v1/audit?action=secret.rotate");
    assertEquals(audit.body.items[0].outcome, "failure");
    fail = undefined;
    assertEquals((await s.json("POST", "/api/v1/secrets/db/rotate")).status, 200);
    assertEquals(events.length, 1);
  } finally {
    await s.close();
  }
});

Deno.test("a create step without { value } fails cleanly; a generic secret needs a function or a value", async () => {
  const calls: Call[] = [];
  const s = await inProcess({
    services: [createAuditService, createCredVaultService, fakeFunctions(calls, { noValue: true })],
  });
  try {
    await s.json("POST", "/api/v1/secrets", { name: "g", type: "generic", value: { a: 1 } });
    const noFn = await s.json<{ errors: { path: string }[] }>("POST", "/api/v1/secrets/g/rotate");
    assertEquals(noFn.status, 400);
    const badRule = await s.json<{ errors: { path: string }[] }>("PATCH", "/api/v1/secrets/g", {
      rotation: { every: "30d" },
    });
    assertEquals(badRule.body.errors[0].path, "/rotation/function");
    const badEvery = await s.json<{ errors: { path: string }[] }>("PATCH", "/api/v1/secrets/g", {
      rotation: { function: "f", every: "soon" },
    });
    assertEquals(badEvery.body.errors[0].path, "/rotation/every");
    const badCron = await s.json<{ errors: { path: string }[] }>("PATCH", "/api/v1/secrets/g", {
      rotation: { function: "f", cron: "61 * * * *" },
    });
    assertEquals(badCron.body.errors[0].path, "/rotation/cron");
    await s.json("POST", "/api/v1/secrets", { name: "h", value: "p", rotation: { function: "rotate-h" } });
    const r = await s.json<{ detail: string }>("POST", "/api/v1/secrets/h/rotate");
    assertEquals(r.status, 502);
    assertStringIncludes(r.body.detail, "must return { value");
  } finally {
    await s.close();
  }
});

Deno.test("scheduled rotation runs on the FakeClock and reschedules itself; purges run after the window", async () => {
  const calls: Call[] = [];
  const clock = new FakeClock("2026-01-01T00:00:00Z");
  const s = await inProcess({
    clock,
    services: [createAuditService, createCredVaultService, fakeFunctions(calls, {})],
  });
  try {
    const created = await s.json<{ nextRotationAt: string }>("POST", "/api/v1/secrets", {
      name: "db",
      value: "v1",
      rotation: { function: "rotate-db", every: "30d" },
    });
    assertEquals(created.body.nextRotationAt, "2026-01-31T00:00:00.000Z");
    await s.json("POST", "/api/v1/secrets", { name: "gen", value: "g1", rotation: { cron: "0 3 * * *" } });
    await clock.advance(29 * 86_400_000);
    assertEquals(calls.length, 0);
    await clock.advance(86_400_000 + 1000);
    await until(() => Promise.resolve(calls.length === 4), "the scheduled rotation", clock);
    await until(
      async () =>
        (await s.json<{ value: string }>("POST", "/api/v1/secrets/db/reveal")).body.value === "rotated-1",
      "promotion",
    );
    const after = await s.json<
      { nextRotationAt: string; lastRotatedAt: string; lastRotation: { status: string } }
    >("GET", "/api/v1/secrets/db");
    assertEquals(after.body.lastRotation.status, "succeeded");
    // The next rotation is 30 days after this one ran.
    const ran = Date.parse(after.body.lastRotatedAt);
    assertEquals(Date.parse(after.body.nextRotationAt) - ran, 30 * 86_400_000);
    assert(ran >= Date.parse("2026-01-31T00:00:00Z") && ran < Date.parse("2026-01-31T00:10:00Z"));
    // The cron-scheduled password without a function got generated values every day at 03:00.
    const gen = await s.json<{ value: string }>("POST", "/api/v1/secrets/gen/reveal");
    assert(gen.body.value !== "g1" && gen.body.value.length === 32);
    const audit = await s.json<{ items: { actor: string; detail: { scheduled?: boolean } }[] }>(
      "GET",
      "/api/v1/audit?action=secret.rotate&resource=trn:credvault:default:credential/db",
    );
    assertEquals(audit.body.items[0].actor, "credvault-scheduler");
    await s.json("DELETE", "/api/v1/secrets/gen?recoveryWindowDays=1");
    await clock.advance(86_400_000 + 1000);
    await until(async () => (await s.json("GET", "/api/v1/secrets/gen")).status === 404, "the purge", clock);
  } finally {
    await s.close();
  }
});

Deno.test("bus executors resolve secrets (by stage/version, audited as stepflow) and params for StepFlow", async () => {
  const s = await inProcess({
    services: [createAuditService, createCredVaultService, createParamStoreService],
  });
  const { bus } = s.server.deps;
  try {
    await s.json("POST", "/api/v1/secrets", { name: "api", type: "generic", value: { k: "v1" } });
    const pending = await s.json<{ versionId: string }>("POST", "/api/v1/secrets/api/versions", {
      value: { k: "v2" },
      stage: "pending",
    });
    assertEquals(
      await bus.execute("trn:credvault:default:credential/api", "default", { operation: "resolve" }),
      { k: "v1" },
    );
    assertEquals(await resolveSecret(bus, "default", "api", { stage: "pending" }), { k: "v2" });
    assertEquals(await resolveSecret(bus, "default", "api", { versionId: pending.body.versionId }), {
      k: "v2",
    });
    assertEquals(await bus.execute("sec:api:pending", "default", {}), { k: "v2" });
    await assertRejects(() => resolveSecret(bus, "other", "api"), Error, "not found");
    await assertRejects(() => bus.execute("sec:api", "default", { operation: "delete" }), Error, "resolve");
    assert(await bus.exists("sec:api", "default"));
    assert(!(await bus.exists("sec:nope", "default")));
    const audit = await s.json<{ items: { actor: string; action: string }[] }>(
      "GET",
      "/api/v1/audit?action=secret.reveal",
    );
    assert(audit.body.items.some((e) => e.actor === "stepflow"));

    const e = encodeURIComponent;
    await s.json("PUT", `/api/v1/params/${e("/app/db/host")}`, { value: "db1" });
    await s.json("PUT", `/api/v1/params/${e("/app/db/host")}`, { value: "db2" });
    await s.json("PUT", `/api/v1/params/${e("/app/db/host")}/labels`, { version: 1, labels: ["stable"] });
    await s.json("PUT", `/api/v1/params/${e("/app/db/port")}`, { value: "5432", type: "number" });
    await s.json("PUT", `/api/v1/params/${e("/app/db/creds")}`, { value: "api", type: "secret_ref" });
    await s.json("PUT", `/api/v1/params/${e("/app/db/url")}`, {
      value: "{% 'pg://' & $param('/app/db/host') & ':' & $string($param('/app/db/port')) %}",
    });
    assertEquals(await resolveParam(bus, "default", "/app/db/host"), "db2");
    assertEquals(await resolveParam(bus, "default", "/app/db/host", { version: 1 }), "db1");
    assertEquals(await resolveParam(bus, "default", "/app/db/host", { label: "stable" }), "db1");
    assertEquals(await bus.execute("param:/app/db/host:stable", "default", {}), "db1");
    assertEquals(await resolveParam(bus, "default", "/app/db/port"), 5432);
    assertEquals(await resolveParam(bus, "default", "/app/db/url"), "pg://db2:5432");
    assertEquals(await resolveParam(bus, "default", "/app/db/creds"), { k: "v1" });
    await assertRejects(() => resolveParam(bus, "default", "/app/db/none"), Error, "not found");
    await assertRejects(
      () => resolveParam(bus, "default", "/app/db/host", { label: "nope" }),
      Error,
      "not found",
    );
    assert(await bus.exists("param:/app/db/host", "default"));
  } finally {
    await s.close();
  }
});
