/**
 * `POST /hooks/{tenant}/{trigger}`: outside /api, so the kernel does no bearer auth; each
 * trigger verifies its own signature and/or static bearer with secrets read from CredVault.
 * Nothing is written, and nothing starts, for a request that fails verification.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ServiceDeps } from "../../runtime/service.ts";
import {
  AppError,
  BadRequestError,
  ConflictError,
  GatewayTimeoutError,
  NotFoundError,
  ServiceUnavailableError,
  UnauthorizedError,
} from "../../runtime/errors.ts";
import { constantTimeEqual } from "../../runtime/ids.ts";
import { TENANT_RE } from "../../runtime/trn.ts";
import { errorResponses } from "../../runtime/http/schemas.ts";
import type { ApiApp } from "../../runtime/http/app.ts";
import type { Igniter } from "./igniter.ts";
import { NAME_RE } from "./schemas.ts";
import { firingId, type NewFiring, newFiringRow, type TriggerRow } from "./store.ts";
import type { WebhookConfig } from "./types.ts";
import { verifyGithub, type VerifyResult, verifyStripe } from "./webhook.ts";
import { errorText } from "./dispatcher.ts";

class TargetFailedError extends AppError {
  override readonly status: number = 502;
  override readonly type: string = "target-failed";
  override readonly title: string = "Target failed";
  constructor(message: string, readonly firingId: string) {
    super(message);
  }
  override extra() {
    return { firingId: this.firingId };
  }
}

const DROPPED_HEADERS = new Set(["authorization", "cookie", "proxy-authorization"]);
const STAGES = ["current", "previous", "pending"] as const;

function credentialAction(tenant: string, name: string): string {
  return name.startsWith("trn:") ? name : `trn:credvault:${tenant}:credential/${name}`;
}

function secretText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    for (const k of ["value", "secret", "token"]) if (typeof v[k] === "string") return v[k] as string;
  }
  return undefined;
}

/** Every stage of every named secret: during rotation, old and new both verify. */
async function loadSecrets(
  deps: ServiceDeps,
  tenant: string,
  names: string[],
  trigger: string,
): Promise<string[]> {
  const out: string[] = [];
  for (const name of names) {
    for (const stage of STAGES) {
      try {
        const value = await deps.bus.execute(credentialAction(tenant, name), tenant, {
          operation: "resolve",
          input: { stage },
          mode: "sync",
          timeoutMs: 5000,
          caller: { service: "igniter", trigger, purpose: "webhook verification" },
        });
        const text = secretText(value);
        if (text) out.push(text);
      } catch (err) {
        if (stage === "current") {
          deps.logger.warn("igniter: webhook secret unavailable", {
            trigger,
            credential: name,
            err: errorText(err),
          });
        }
      }
    }
  }
  if (!out.length) {
    throw new ServiceUnavailableError(
      `the webhook's secret could not be read from CredVault; check credential(s) ${
        names.map((n) => `'${n}'`).join(", ")
      }`,
    );
  }
  return [...new Set(out)];
}

async function verify(
  igniter: Igniter,
  t: TriggerRow,
  req: Request,
  raw: Uint8Array,
): Promise<VerifyResult> {
  const config = t.config as WebhookConfig;
  const { deps } = igniter;
  if (config.bearer) {
    const secrets = await loadSecrets(deps, t.tenant, [config.bearer.secret], t.name);
    const header = req.headers.get("authorization");
    if (!header) return { ok: false, reason: "missing" };
    let ok = false;
    for (const s of secrets) if (constantTimeEqual(header, `Bearer ${s}`)) ok = true;
    if (!ok) return { ok: false, reason: "mismatch" };
  }
  if (config.signature) {
    const secrets = await loadSecrets(deps, t.tenant, config.signature.secrets, t.name);
    if (config.signature.style === "github") {
      return await verifyGithub(req.headers.get("x-hub-signature-256"), raw, secrets);
    }
    return await verifyStripe(req.headers.get("stripe-signature"), raw, secrets, {
      nowMs: deps.clock.now(),
      toleranceSeconds: config.signature.toleranceSeconds ?? 300,
    });
  }
  return { ok: true };
}

function deliveryIdOf(config: WebhookConfig, req: Request, body: unknown): string | undefined {
  const header = config.deliveryIdHeader ??
    (config.signature?.style === "github" ? "x-github-delivery" : "x-delivery-id");
  const value = req.headers.get(header) ?? req.headers.get("idempotency-key") ?? undefined;
  if (value) return value.slice(0, 200);
  if (config.signature?.style === "stripe" && body && typeof body === "object") {
    const id = (body as Record<string, unknown>).id;
    if (typeof id === "string") return id.slice(0, 200);
  }
  return undefined;
}

export async function handleWebhook(
  igniter: Igniter,
  tenant: string,
  name: string,
  req: Request,
): Promise<Response> {
  const { deps, metrics, store, dispatcher } = igniter;
  if (!TENANT_RE.test(tenant) || !NAME_RE.test(name)) throw new NotFoundError("webhook", `${tenant}/${name}`);
  let t: TriggerRow;
  try {
    t = igniter.row(tenant, name);
  } catch {
    throw new NotFoundError("webhook", `${tenant}/${name}`);
  }
  if (t.type !== "webhook") throw new NotFoundError("webhook", `${tenant}/${name}`);
  const raw = new Uint8Array(await req.arrayBuffer());
  const verdict = await verify(igniter, t, req, raw);
  if (!verdict.ok) {
    metrics.webhookRejected.inc({ reason: verdict.reason });
    const what = {
      missing: "the signature or bearer token is missing",
      malformed: "the signature header is malformed",
      mismatch: "the signature or bearer token does not match",
      stale: "the signed timestamp is outside the tolerance (replayed or clock skew)",
    }[verdict.reason];
    throw new UnauthorizedError(`webhook verification failed: ${what}`);
  }
  if (!t.enabled || !t.target) {
    metrics.webhookRejected.inc({ reason: "disabled" });
    throw new ConflictError(`trigger '${t.name}' is disabled`);
  }
  const config = t.config as WebhookConfig;
  const text = new TextDecoder().decode(raw);
  let body: unknown = text;
  if ((req.headers.get("content-type") ?? "").includes("json") && text.trim() !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      throw new BadRequestError("the body is declared as JSON but does not parse: send valid JSON");
    }
  }
  const headers: Record<string, string> = {};
  req.headers.forEach((v, k) => {
    if (!DROPPED_HEADERS.has(k)) headers[k] = v;
  });
  const url = new URL(req.url);
  const now = deps.clock.now();
  const deliveryId = deliveryIdOf(config, req, body);
  const sync = config.mode === "sync";
  const timeoutMs = (config.timeoutSeconds ?? 30) * 1000;
  const firing: NewFiring = {
    id: firingId(now),
    tenant,
    trigger: t.name,
    source: "webhook",
    dedupKey: null,
    target: t.target,
    payload: {
      body,
      headers,
      query: Object.fromEntries(url.searchParams),
      method: req.method,
      deliveryId: deliveryId ?? null,
      receivedAt: new Date(now).toISOString(),
      trigger: t.name,
    },
    status: "pending",
    // A sync firing is the request's own; after a crash it is dispatched again later.
    nextAttemptAt: sync ? now + timeoutMs + 60_000 : now,
    scheduledAt: null,
    createdAt: now,
    eventId: null,
    deliveryId: deliveryId ?? null,
  };
  const duplicate = deps.db.transaction(() => {
    if (deliveryId) {
      const window = (config.dedupWindowSeconds ?? 86400) * 1000;
      const claim = store.claimDelivery(tenant, t.name, deliveryId, firing.id, now, window);
      if (!claim.claimed) return claim.firingId;
    }
    store.insertFiring(firing);
    return undefined;
  });
  if (duplicate) {
    metrics.webhookRejected.inc({ reason: "duplicate" });
    const earlier = store.getFiring(duplicate);
    return Response.json({
      duplicate: true,
      firingId: duplicate,
      executionId: earlier?.executionId ?? undefined,
    }, {
      status: 200,
    });
  }
  metrics.fires.inc({ type: "webhook" });
  const row = newFiringRow(firing);
  if (sync) {
    const outcome = await dispatcher.dispatchSync(row, timeoutMs);
    if (outcome.ok) {
      return Response.json(outcome.result ?? null, {
        status: 200,
        headers: { "x-aionix-firing-id": row.id },
      });
    }
    if (outcome.timedOut) {
      throw new GatewayTimeoutError(
        `${t.target} did not finish within ${timeoutMs / 1000} s (firing ${row.id})`,
      );
    }
    throw new TargetFailedError(`${t.target} failed: ${errorText(outcome.error)}`, row.id);
  }
  await dispatcher.dispatchNow(row);
  const after = store.getFiring(row.id);
  return Response.json({
    firingId: row.id,
    status: after
      ? (after.status === "pending" ? (after.attempts ? "retrying" : "accepted") : after.status)
      : "accepted",
    ...(after?.executionId ? { executionId: after.executionId } : {}),
  }, { status: 202 });
}

export function mountHookRoutes(app: ApiApp, igniter: Igniter): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/hooks/{tenant}/{trigger}",
      tags: ["triggers"],
      summary: "Deliver a webhook; verified per trigger (signature and/or bearer), not by API token",
      security: [],
      request: { params: z.object({ tenant: z.string(), trigger: z.string() }) },
      responses: {
        200: { description: "Sync mode: the target's result; or a replayed delivery id" },
        202: { description: "Accepted: the firing id and, once started, the execution id" },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { tenant, trigger } = c.req.valid("param");
      return await handleWebhook(igniter, tenant, trigger, c.req.raw) as never;
    },
  );
}
