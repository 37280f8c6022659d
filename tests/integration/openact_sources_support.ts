/**
 * Shared pieces of the event-source integration tests: the full server (in-process with every
 * real service, or the real subprocess), a StepFlow workflow that keeps its input, an Igniter
 * event rule, and polling for the execution a broker message started.
 */
import { assertEquals } from "../helpers/assert.ts";
import { inProcess } from "../helpers/inprocess.ts";
import type { EventSource } from "../../services/openact/types.ts";

export interface Api {
  json<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
}

// deno-lint-ignore no-explicit-any
type Json = any;

export const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

export async function expectStatus(api: Api, method: string, path: string, status: number, body?: unknown) {
  const res = await api.json<Json>(method, path, body);
  assertEquals(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A workflow whose output is the event's detail, so the message is visible in input and output. */
export function createWorkflow(api: Api, name: string) {
  return expectStatus(api, "POST", "/api/v1/templates", 201, {
    name,
    dsl: {
      entry: "Keep",
      states: {
        Keep: { type: "set", output: { expression: "{% input.detail %}" }, next: "Done" },
        Done: { type: "succeed" },
      },
    },
  });
}

/** An event rule whose target is a new workflow (createWorkflow) that keeps the event's detail. */
export async function createWorkflowRule(
  api: Api,
  rule: string,
  pattern: Record<string, unknown>,
  workflow: string,
) {
  await createWorkflow(api, workflow);
  return await createRule(api, rule, pattern, `wf:${workflow}`);
}

/** A rule named after an event source, matching its events, that starts `workflow`. */
export function createSourceRule(api: Api, source: string, workflow: string) {
  return createWorkflowRule(
    api,
    source,
    { source: ["aionix.openact"], detail: { eventSource: [source] } },
    workflow,
  );
}

export function createConnection(
  api: Api,
  name: string,
  kind: string,
  settings: Record<string, unknown> = {},
) {
  return expectStatus(api, "POST", "/api/v1/connections", 201, { name, kind, settings });
}

export function createRule(api: Api, name: string, pattern: Record<string, unknown>, target: string) {
  return expectStatus(api, "POST", "/api/v1/triggers", 201, {
    name,
    type: "event",
    target,
    enabled: true,
    config: { pattern },
  });
}

/** Publishes through OpenAct's execute API: the connection's publish operation with this input. */
export function publish(api: Api, connection: string, input: Record<string, unknown>) {
  return expectStatus(api, "POST", "/api/v1/openact/execute", 200, {
    connection,
    operation: "publish",
    input,
  });
}

export async function createSource(api: Api, body: Record<string, unknown>): Promise<EventSource> {
  return await expectStatus(api, "POST", "/api/v1/event-sources", 201, body) as EventSource;
}

export async function getSource(api: Api, name: string): Promise<EventSource> {
  return await expectStatus(api, "GET", `/api/v1/event-sources/${name}`, 200) as EventSource;
}

export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Execution {
  id: string;
  template: string;
  status: string;
  input: Json;
  output?: Json;
}

/** The executions of a template that have finished, oldest first. */
export async function finishedExecutions(api: Api, template: string): Promise<Execution[]> {
  const list = await expectStatus(api, "GET", `/api/v1/executions?template=${template}&limit=100`, 200);
  return (list.items as Execution[]).filter((e) => e.status !== "running").reverse();
}

/** Waits until `count` executions of the template have finished and returns them with their input. */
export async function waitForExecutions(api: Api, template: string, count: number): Promise<Execution[]> {
  const done = await eventually(`${count} execution(s) of ${template}`, async () => {
    const items = await finishedExecutions(api, template);
    return items.length >= count ? items : undefined;
  });
  return await Promise.all(
    done.map((e) => expectStatus(api, "GET", `/api/v1/executions/${e.id}`, 200) as Promise<Execution>),
  );
}

/** The full server in-process with every real service. */
export async function fullServer() {
  const app = await inProcess();
  return app;
}

/**
 * The common end-to-end check: a message published to the broker started the rule's workflow
 * with the message in its input, the firing is in the trigger's history, and the source counted it.
 */
export async function assertDelivered(
  api: Api,
  options: { template: string; rule: string; source: string; kind: string; subject: string; data: unknown },
) {
  const [execution] = await waitForExecutions(api, options.template, 1);
  assertEquals(execution.status, "succeeded", JSON.stringify(execution));
  assertEquals(execution.input.source, "aionix.openact");
  assertEquals(execution.input["detail-type"], "Message Received");
  assertEquals(execution.input.detail, {
    eventSource: options.source,
    connection: execution.input.detail.connection,
    kind: options.kind,
    subject: options.subject,
    data: options.data,
  });
  assertEquals(execution.input.resources[0], `trn:openact:default:event-source/${options.source}`);
  assertEquals(execution.output.data, options.data);
  const history = await expectStatus(api, "GET", `/api/v1/triggers/${options.rule}/history`, 200);
  assertEquals(history.items.length, 1, JSON.stringify(history));
  assertEquals(history.items[0].executionId, execution.id);
  const source = await getSource(api, options.source);
  assertEquals([source.status, source.messageCount], ["running", 1]);
  return execution;
}
