import { assertEquals, assertRejects } from "../tests/helpers/assert.ts";
import { type SystemEvent, SystemEvents } from "./events.ts";

const event: SystemEvent = { tenant: "default", source: "test", detailType: "Ping", detail: {} };

Deno.test("publishAndWait resolves once every durable listener stored the event, with their count", async () => {
  const events = new SystemEvents();
  const order: string[] = [];
  events.subscribe(() => void order.push("plain"));
  events.subscribe(
    () => new Promise<void>((r) => setTimeout(() => (order.push("durable"), r()), 5)),
    { durable: true },
  );
  assertEquals(await events.publishAndWait(event), 1);
  assertEquals(order, ["plain", "durable"]);
  assertEquals(await new SystemEvents().publishAndWait(event), 0);
});

Deno.test("publishAndWait rejects when a durable listener failed; publish() swallows it", async () => {
  const events = new SystemEvents();
  events.subscribe(() => Promise.reject(new Error("disk full")), { durable: true });
  await assertRejects(() => events.publishAndWait(event), Error, "disk full");
  events.publish(event); // no unhandled rejection
  await new Promise((r) => setTimeout(r, 5));
});

Deno.test("a durable listener that throws synchronously rejects publishAndWait; others still receive", async () => {
  const events = new SystemEvents();
  const seen: string[] = [];
  events.subscribe(() => {
    throw new Error("boom");
  }, { durable: true });
  events.subscribe((e) => void seen.push(e.detailType));
  await assertRejects(() => events.publishAndWait(event), Error, "boom");
  assertEquals(seen, ["Ping"]);
});
