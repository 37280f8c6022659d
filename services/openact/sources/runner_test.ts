/**
 * SourceRunner against a scripted connector and a fake clock: retry/backoff of failed
 * subscribes, driver status hooks, credential redaction, and acknowledge-after-store delivery.
 * (The real brokers are exercised in tests/integration/openact_sources_*_test.ts.)
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../../tests/helpers/assert.ts";
import { FakeClock } from "../../../runtime/clock.ts";
import { type SystemEvent, SystemEvents } from "../../../runtime/events.ts";
import { createLogger } from "../../../runtime/log.ts";
import { createConnectorRegistry } from "../connectors/registry.ts";
import type { Connector, SubscribeHooks } from "../connectors/types.ts";
import { Engine } from "../engine.ts";
import type { Connection } from "../types.ts";
import { SourceRunner } from "./runner.ts";
import type { EventSourceRow } from "./store.ts";

const SECRET = "s3cr3t-broker-pass";

type OnMessage = (m: { subject: string; data: unknown }) => unknown;

class Scripted {
  failures: string[] = [];
  subscribes = 0;
  stops = 0;
  acks = false;
  onMessage?: OnMessage;
  hooks?: SubscribeHooks;
  connector(): Connector {
    // deno-lint-ignore no-this-alias
    const self = this;
    return {
      kind: "redis",
      description: "scripted",
      settingsSchema: undefined as never,
      operations: {},
      get subscribeAcks() {
        return self.acks;
      },
      test: () => Promise.resolve({}),
      execute: () => Promise.resolve(null),
      subscribe(_c, _input, onMessage, hooks) {
        self.subscribes++;
        const failure = self.failures.shift();
        if (failure) return Promise.reject(new Error(failure));
        self.onMessage = onMessage;
        self.hooks = hooks;
        return Promise.resolve(() => {
          self.stops++;
          return Promise.resolve();
        });
      },
      close: () => Promise.resolve(),
    };
  }
}

const connection: Connection = {
  name: "cache",
  trn: "trn:openact:default:connection/redis/cache",
  kind: "redis",
  description: "",
  settings: {},
  credential: "trn:credvault:default:credential/redis-pw",
  version: 1,
  createdAt: "",
  updatedAt: "",
};

const source: EventSourceRow = {
  tenant: "default",
  name: "feed",
  connection: "cache",
  kind: "redis",
  input: { channels: ["c"] },
  detailType: "Message Received",
  description: "",
  enabled: true,
  version: 1,
  createdAt: "",
  updatedAt: "",
};

function setup() {
  const scripted = new Scripted();
  const clock = new FakeClock("2026-01-01T00:00:00Z");
  const logs: string[] = [];
  const events = new SystemEvents();
  const registry = createConnectorRegistry({
    loaders: { redis: () => Promise.resolve({ default: scripted.connector() }) },
  });
  const logger = createLogger({ level: "debug", write: (l) => logs.push(l) });
  const engine = new Engine(registry, () => Promise.resolve(SECRET), logger, () => clock.now());
  const runner = new SourceRunner({ engine, events, logger, clock, connection: () => connection });
  return { scripted, clock, logs, events, runner };
}

Deno.test("a failing subscribe is retried with doubling backoff and lastError never shows the credential", async () => {
  const { scripted, clock, logs, runner } = setup();
  scripted.failures = [`WRONGPASS for ${SECRET}`, "ECONNREFUSED 127.0.0.1:6379"];
  await runner.launch(source);
  let state = runner.state("default", "feed");
  assertEquals([state.status, state.lastError], ["error", "WRONGPASS for ***"]);
  await clock.advance(999);
  assertEquals(scripted.subscribes, 1);
  await clock.advance(1);
  assertEquals(scripted.subscribes, 2);
  assertEquals(runner.state("default", "feed").lastError, "ECONNREFUSED 127.0.0.1:6379");
  await clock.advance(1999);
  assertEquals(scripted.subscribes, 2);
  await clock.advance(1);
  state = runner.state("default", "feed");
  assertEquals([scripted.subscribes, state.status], [3, "running"]);
  assert(state.connectedAt);
  assert(!logs.join("\n").includes(SECRET), "logs never carry the credential");
  assertStringIncludes(logs.join("\n"), "retryInMs");
  await runner.stopAll();
  assertEquals(scripted.stops, 1);
});

Deno.test("driver hooks: reconnecting and connected update status; closed re-subscribes after backoff", async () => {
  const { scripted, clock, runner } = setup();
  await runner.launch(source);
  const first = scripted.hooks!;
  first.onStatus!("reconnecting", new Error(`connection reset (${SECRET})`));
  let state = runner.state("default", "feed");
  assertEquals([state.status, state.lastError], ["reconnecting", "connection reset (***)"]);
  first.onStatus!("connected");
  assertEquals(runner.state("default", "feed").status, "running");
  first.onStatus!("closed", new Error("gave up"));
  state = runner.state("default", "feed");
  assertEquals([state.status, state.lastError, scripted.stops], ["error", "gave up", 1]);
  await clock.advance(1000);
  assertEquals([scripted.subscribes, runner.state("default", "feed").status], [2, "running"]);
  // hooks of the dead subscription are ignored from now on
  first.onStatus!("closed", new Error("late"));
  assertEquals(runner.state("default", "feed").status, "running");
  await runner.stopAll();
});

Deno.test("an acknowledging kind resolves onMessage only after a durable listener stored the event", async () => {
  const { scripted, events, runner } = setup();
  scripted.acks = true;
  const stored: SystemEvent[] = [];
  let release!: () => void;
  events.subscribe((e) =>
    new Promise<void>((resolve) => {
      release = () => {
        stored.push(e);
        resolve();
      };
    }), { durable: true });
  await runner.launch(source);
  let settled = false;
  const delivery = Promise.resolve(scripted.onMessage!({ subject: "c", data: { n: 1 } })).then(() =>
    settled = true
  );
  await new Promise((r) => setTimeout(r, 10));
  assertEquals(settled, false, "not acknowledged before the store");
  release();
  await delivery;
  assertEquals(stored.length, 1);
  assertEquals(stored[0].source, "aionix.openact");
  assertEquals(stored[0].detail, {
    eventSource: "feed",
    connection: "cache",
    kind: "redis",
    subject: "c",
    data: { n: 1 },
  });
  assertEquals(stored[0].resources, ["trn:openact:default:event-source/feed", connection.trn]);
  assertEquals(runner.state("default", "feed").messageCount, 1);
  await runner.stopAll();
});

Deno.test("an acknowledging kind with nobody storing events retries, then rejects with requeue", async () => {
  const { scripted, clock, runner } = setup();
  scripted.acks = true;
  await runner.launch(source);
  const delivery = Promise.resolve(scripted.onMessage!({ subject: "c", data: 1 }));
  delivery.catch(() => {});
  for (const ms of [200, 1000, 3000]) {
    await new Promise((r) => setTimeout(r, 0));
    await clock.advance(ms);
  }
  const err = await assertRejects(() => delivery);
  assertEquals((err as Error & { requeue?: boolean }).requeue, true);
  assertStringIncludes(runner.state("default", "feed").lastError!, "no durable consumer");
  await runner.stopAll();
});

Deno.test("a non-acknowledging kind returns nothing to the driver; a failed store is recorded, not thrown", async () => {
  const { scripted, events, runner } = setup();
  events.subscribe(() => Promise.reject(new Error("disk full")), { durable: true });
  await runner.launch(source);
  assertEquals(scripted.onMessage!({ subject: "c", data: "x" }), undefined);
  await new Promise((r) => setTimeout(r, 10));
  assertStringIncludes(runner.state("default", "feed").lastError!, "storing a message failed: disk full");
  await runner.stopAll();
});

Deno.test("halt stops the subscription; its late messages are refused; counts survive relaunch and go on forget", async () => {
  const { scripted, events, runner } = setup();
  scripted.acks = true;
  events.subscribe(() => Promise.resolve(), { durable: true });
  await runner.launch(source);
  await scripted.onMessage!({ subject: "c", data: 1 });
  const stale = scripted.onMessage!;
  await runner.halt("default", "feed");
  assertEquals([scripted.stops, runner.state("default", "feed").status], [1, "stopped"]);
  const late = await assertRejects(() => Promise.resolve(stale({ subject: "c", data: 2 })));
  assertEquals((late as Error & { requeue?: boolean }).requeue, true);
  await runner.launch(source);
  assertEquals(runner.state("default", "feed").messageCount, 1);
  await runner.halt("default", "feed", true);
  assertEquals(runner.state("default", "feed").messageCount, 0);
});
