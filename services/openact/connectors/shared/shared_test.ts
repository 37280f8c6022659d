import { assert, assertEquals, assertRejects } from "../../../../tests/helpers/assert.ts";
import { withDeadline } from "./deadline.ts";
import {
  ConnectorCancelledError,
  ConnectorTimeoutError,
  ConnectorUnavailableError,
  mapDriverError,
  redactSecret,
} from "./errors.ts";
import { PoolCache } from "./pool.ts";
import { decodePayload, toJsonValue } from "./json.ts";
import { userPass } from "./validate.ts";
import { opts, testConnection } from "./testing.ts";

Deno.test("withDeadline rejects at the timeout, aborts the work's signal and calls onAbort", async () => {
  let aborted = false;
  let workSignal: AbortSignal | undefined;
  const err = await assertRejects(() =>
    withDeadline(opts(50), (signal) => {
      workSignal = signal;
      return new Promise(() => {});
    }, { kind: "k", what: "op", onAbort: () => (aborted = true) }), ConnectorTimeoutError);
  assertEquals(err.status, 504);
  assert(aborted && workSignal?.aborted);
});

Deno.test("withDeadline turns the caller's abort into a cancellation", async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 20);
  await assertRejects(
    () => withDeadline(opts(5000, ac.signal), () => new Promise(() => {}), { kind: "k", what: "op" }),
    ConnectorCancelledError,
  );
});

Deno.test("withDeadline maps driver errors and redacts the credential", async () => {
  const err = await assertRejects(() =>
    withDeadline(opts(), () => {
      const e = Object.assign(new Error("connect ECONNREFUSED for pw hunter22"), { code: "ECONNREFUSED" });
      return Promise.reject(e);
    }, { kind: "k", what: "op", credential: { password: "hunter22" } }), ConnectorUnavailableError);
  assert(!err.message.includes("hunter22"));
  assertEquals(mapDriverError("k", new Error("boom")).status, 502);
  assertEquals(redactSecret("a sec-ret b", "sec-ret"), "a *** b");
});

Deno.test("PoolCache shares creation, rebuilds on a new revision and closes what it built", async () => {
  const closed: number[] = [];
  let made = 0;
  const cache = new PoolCache<number>((n) => void closed.push(n));
  const c = testConnection("x", {});
  const [a, b] = await Promise.all([
    cache.get(c, () => Promise.resolve(++made)),
    cache.get(c, () => Promise.resolve(++made)),
  ]);
  assertEquals([a, b, made], [1, 1, 1]);
  assertEquals(await cache.get({ ...c, revision: "2" }, () => Promise.resolve(++made)), 2);
  assertEquals(closed, [1]);
  await assertRejects(() => cache.get(testConnection("x", {}), () => Promise.reject(new Error("no"))));
  assertEquals(cache.size, 1);
  await cache.close();
  assertEquals(closed, [1, 2]);
});

Deno.test("toJsonValue makes driver values JSON-safe", () => {
  assertEquals(
    toJsonValue({
      a: 1n,
      b: 2n ** 70n,
      c: new Uint8Array([104, 105]),
      d: new Date(0),
      e: new Map([["k", 1]]),
    }),
    { a: 1, b: "1180591620717411303424", c: "aGk=", d: "1970-01-01T00:00:00.000Z", e: { k: 1 } },
  );
  assertEquals(decodePayload(new TextEncoder().encode('{"x":1}')).data, { x: 1 });
  assertEquals(decodePayload(new TextEncoder().encode("plain")).data, "plain");
});

Deno.test("userPass reads string and object credentials", () => {
  assertEquals(userPass("pw"), { password: "pw" });
  assertEquals(userPass({ user: "u", pass: "p" }), { username: "u", password: "p", token: undefined });
  assertEquals(userPass(undefined), {});
});
