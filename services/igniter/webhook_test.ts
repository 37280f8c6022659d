import { assert, assertEquals, assertStringIncludes } from "../../tests/helpers/assert.ts";
import { FakeClock } from "../../runtime/clock.ts";
import { harness, settle } from "./testing/harness.ts";
import { signGithub, signStripe, verifyGithub, verifyStripe } from "./webhook.ts";

const NOW = Date.parse("2026-05-01T10:00:00Z");
type H = Awaited<ReturnType<typeof harness>>;

async function hook(h: H, name: string, body: string, headers: Record<string, string>, tenant = "default") {
  const res = await h.server.fetch(
    new Request(`http://127.0.0.1/hooks/${tenant}/${name}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    }),
  );
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function setup(config: Record<string, unknown>, target = "wf:on-push") {
  const h = await harness({ clock: new FakeClock(NOW) });
  h.targets.secrets.set("gh-secret", { current: "new-secret", previous: "old-secret" });
  h.targets.secrets.set("stripe-secret", { current: "whsec_abc" });
  h.targets.secrets.set("hook-token", { current: "tok-123" });
  const res = await h.json("POST", "/api/v1/triggers", {
    name: "hook",
    type: "webhook",
    target,
    enabled: true,
    config,
    inputTransform: { repo: "{% body.repository %}", delivery: "{% deliveryId %}" },
  });
  assertEquals(res.status, 201, JSON.stringify(res.body));
  assertEquals(res.body.webhookPath, "/hooks/default/hook");
  return h;
}

Deno.test("verifyGithub / verifyStripe check the raw bytes, every secret, and the Stripe tolerance", async () => {
  const body = new TextEncoder().encode('{"a": 1}');
  const sig = await signGithub("s2", body);
  assertEquals(await verifyGithub(sig, body, ["s1", "s2"]), { ok: true });
  assertEquals(await verifyGithub(sig, new TextEncoder().encode('{"a":1}'), ["s2"]), {
    ok: false,
    reason: "mismatch",
  });
  assertEquals(await verifyGithub(null, body, ["s2"]), { ok: false, reason: "missing" });
  assertEquals(await verifyGithub("sha1=abc", body, ["s2"]), { ok: false, reason: "malformed" });
  const t = Math.floor(NOW / 1000);
  const st = await signStripe("wh", '{"a": 1}', t);
  const opts = { nowMs: NOW, toleranceSeconds: 300 };
  assertEquals(await verifyStripe(st, body, ["wh"], opts), { ok: true });
  assertEquals(await verifyStripe(st, body, ["wh"], { ...opts, nowMs: NOW + 301_000 }), {
    ok: false,
    reason: "stale",
  });
  assertEquals(await verifyStripe(`t=${t},v0=00`, body, ["wh"], opts), { ok: false, reason: "malformed" });
});

Deno.test("GitHub webhook: a correct signature starts the workflow (202 + execution id); wrong and missing start nothing", async () => {
  const h = await setup({ signature: { style: "github", secrets: ["gh-secret"] } });
  try {
    const body = '{"repository": "acme/api", "ref": "main"}';
    const ok = await hook(h, "hook", body, {
      "x-hub-signature-256": await signGithub("new-secret", body),
      "x-github-delivery": "d-1",
    });
    assertEquals(ok.status, 202);
    assertEquals(ok.body.executionId, "exec-1");
    assertEquals(h.targets.targetCalls()[0].input, { repo: "acme/api", delivery: "d-1" });

    const wrong = await hook(h, "hook", body, { "x-hub-signature-256": await signGithub("nope", body) });
    assertEquals(wrong.status, 401);
    assertStringIncludes(wrong.body.detail, "does not match");
    const missing = await hook(h, "hook", body, {});
    assertEquals(missing.status, 401);
    assertStringIncludes(missing.body.detail, "missing");
    const tampered = await hook(h, "hook", body.replace("main", "evil"), {
      "x-hub-signature-256": await signGithub("new-secret", body),
    });
    assertEquals(tampered.status, 401);
    assertEquals(h.targets.targetCalls().length, 1);
    assertEquals((await h.json("GET", "/api/v1/triggers/hook/history")).body.items.length, 1);
  } finally {
    await h.close();
  }
});

Deno.test("GitHub webhook: the previous secret still verifies during rotation; a replayed delivery id starts nothing", async () => {
  const h = await setup({ signature: { style: "github", secrets: ["gh-secret"] } });
  try {
    const body = '{"repository": "acme/api"}';
    const headers = {
      "x-hub-signature-256": await signGithub("old-secret", body),
      "x-github-delivery": "d-7",
    };
    assertEquals((await hook(h, "hook", body, headers)).status, 202);
    const replay = await hook(h, "hook", body, headers);
    assertEquals(replay.status, 200);
    assertEquals(replay.body.duplicate, true);
    assertEquals(replay.body.executionId, "exec-1");
    assertEquals(h.targets.targetCalls().length, 1);
  } finally {
    await h.close();
  }
});

Deno.test("Stripe webhook: valid within 5 minutes; stale, wrong and missing signatures are 401", async () => {
  const h = await setup({ signature: { style: "stripe", secrets: ["stripe-secret"] } });
  try {
    const body = '{"id": "evt_1", "type": "charge.succeeded"}';
    const t = Math.floor(NOW / 1000);
    const ok = await hook(h, "hook", body, {
      "stripe-signature": await signStripe("whsec_abc", body, t - 200),
    });
    assertEquals(ok.status, 202);
    const again = await hook(h, "hook", body, {
      "stripe-signature": await signStripe("whsec_abc", body, t - 100),
    });
    assertEquals(again.body.duplicate, true, "the Stripe event id de-duplicates");
    const other = '{"id": "evt_2"}';
    const stale = await hook(h, "hook", other, {
      "stripe-signature": await signStripe("whsec_abc", other, t - 301),
    });
    assertEquals(stale.status, 401);
    assertStringIncludes(stale.body.detail, "tolerance");
    const wrong = await hook(h, "hook", other, {
      "stripe-signature": await signStripe("whsec_xyz", other, t),
    });
    assertEquals(wrong.status, 401);
    assertEquals((await hook(h, "hook", other, {})).status, 401);
    assertEquals(h.targets.targetCalls().length, 1);
  } finally {
    await h.close();
  }
});

Deno.test("bearer-only webhook in sync mode returns the function's result; a wrong bearer is 401", async () => {
  const h = await setup({ bearer: { secret: "hook-token" }, mode: "sync", timeoutSeconds: 0.3 }, "fn:handle");
  try {
    const res = await hook(h, "hook", '{"repository": "r"}', {
      authorization: "Bearer tok-123",
      "x-delivery-id": "x1",
    });
    assertEquals(res.status, 200);
    assertEquals(res.body, { echoed: { repo: "r", delivery: "x1" }, by: "handle" });
    assertEquals(h.targets.targetCalls()[0].mode, "sync");
    assertEquals((await hook(h, "hook", "{}", { authorization: "Bearer tok-124" })).status, 401);
    h.targets.delays.set("handle", 2000);
    const slow = await hook(h, "hook", '{"repository": "r"}', { authorization: "Bearer tok-123" });
    assertEquals(slow.status, 504);
    h.targets.delays.delete("handle");
    h.targets.failures.set("handle", 1);
    const failed = await hook(h, "hook", '{"repository": "r"}', { authorization: "Bearer tok-123" });
    assertEquals(failed.status, 502);
    assertStringIncludes(failed.body.detail, "failing on purpose");
    const statuses = (await h.json("GET", "/api/v1/triggers/hook/history")).body.items.map((
      f: { status: string },
    ) => f.status);
    assertEquals(statuses, ["failed", "timed_out", "succeeded"]);
  } finally {
    await h.close();
  }
});

Deno.test("webhooks: unknown trigger 404, disabled 409, unreadable secret 503, secrets never in history", async () => {
  const h = await setup({ signature: { style: "github", secrets: ["gh-secret"] } });
  try {
    const body = '{"repository": "x"}';
    const sig = { "x-hub-signature-256": await signGithub("new-secret", body) };
    assertEquals((await hook(h, "nope", body, sig)).status, 404);
    assertEquals((await hook(h, "hook", body, sig, "other")).status, 404);
    await h.json("POST", "/api/v1/triggers/hook/disable");
    assertEquals((await hook(h, "hook", body, sig)).status, 409);
    await h.json("POST", "/api/v1/triggers/hook/enable");
    h.targets.secrets.delete("gh-secret");
    const unavailable = await hook(h, "hook", body, sig);
    assertEquals(unavailable.status, 503);
    assertStringIncludes(unavailable.body.detail, "gh-secret");
    h.targets.secrets.set("gh-secret", { current: "new-secret" });
    assertEquals(
      (await hook(h, "hook", body, { ...sig, authorization: "Bearer should-not-be-kept" })).status,
      202,
    );
    await settle();
    const dump = new TextDecoder().decode(await Deno.readFile(`${h.dataDir}/aionix.db`));
    assert(
      !dump.includes("new-secret") && !dump.includes("should-not-be-kept"),
      "secrets must not reach the DB",
    );
  } finally {
    await h.close();
  }
});
