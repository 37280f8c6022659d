/**
 * The event-source API itself: 4xx problems that name the field, tenant isolation (another
 * tenant's source is a 404), the OpenAPI document, and the `aio act source` CLI against the
 * real server and the real Redis.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../helpers/assert.ts";
import { requireService } from "../helpers/services.ts";
import { runCli, startServer } from "../helpers/server.ts";
import {
  type Api,
  createConnection,
  createWorkflowRule,
  expectStatus,
  fullServer,
  publish,
  unique,
  waitForExecutions,
} from "./openact_sources_support.ts";

Deno.test("bad event-source requests are 400/409 problems naming the field and the fix", async () => {
  const app = await fullServer();
  try {
    await createConnection(app, "my-redis", "redis");
    await createConnection(app, "rmq", "rabbitmq");
    await createConnection(app, "web", "http", { baseUrl: "https://example.com" });
    const base = { name: "s1", connection: "my-redis", input: { channels: ["a"] }, enabled: false };
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ ...base, colour: "red" }, "/colour", /unknown field 'colour'/],
      [{ name: "s1", connection: "my-redis" }, "/input", /./],
      [{ ...base, name: "bad name!" }, "/name", /must match/],
      [{ ...base, input: { channels: "a" } }, "/input/channels", /./],
      [{ ...base, input: {} }, "/input/channels", /at least one channel or pattern/],
      [{ ...base, input: { channels: ["a"], colour: 1 } }, "/input/colour", /unknown field/],
      [{ ...base, connection: "rmq", input: {} }, "/input/queue", /./],
      [{ ...base, connection: "nope" }, "/connection", /does not exist: create it first/],
      [{ ...base, connection: "mqtt/my-redis" }, "/connection", /is a redis connection, not mqtt/],
      [
        { ...base, connection: "trn:openact:other:connection/redis/my-redis" },
        "/connection",
        /does not exist/,
      ],
      [{ ...base, connection: "web" }, "/connection", /cannot be an event source: use a redis, rabbitmq/],
      [{ ...base, detailType: "" }, "/detailType", /./],
    ];
    for (const [body, path, message] of cases) {
      const problem = await expectStatus(app, "POST", "/api/v1/event-sources", 400, body);
      assertEquals(problem.errors?.[0]?.path, path, JSON.stringify(problem));
      assertMatch(problem.errors[0].message, message, JSON.stringify(problem));
    }
    const created = await expectStatus(app, "POST", "/api/v1/event-sources", 201, base);
    assertEquals([created.enabled, created.status, created.messageCount], [false, "stopped", 0]);
    const again = await expectStatus(app, "POST", "/api/v1/event-sources", 409, base);
    assertStringIncludes(again.detail, "already exists");
    await expectStatus(app, "GET", "/api/v1/event-sources/missing", 404);
    await expectStatus(
      app,
      "GET",
      "/api/v1/event-sources/trn:openact:default:connection%2Fredis%2Fmy-redis",
      400,
    );
    // a connection an event source uses cannot be deleted
    const refused = await expectStatus(app, "DELETE", "/api/v1/connections/my-redis", 409);
    assertStringIncludes(refused.detail, "event source(s) s1");

    const doc = await expectStatus(app, "GET", "/api/openapi.json", 200);
    for (const path of ["/api/v1/event-sources", "/api/v1/event-sources/{ref}/enable"]) {
      assert(doc.paths[path], `${path} is documented`);
    }
  } finally {
    await app.close();
  }
});

Deno.test("another tenant's event source is a 404 by name and by TRN, and absent from its list", async () => {
  const app = await fullServer();
  try {
    await createConnection(app, "my-redis", "redis");
    await expectStatus(app, "POST", "/api/v1/event-sources", 201, {
      name: "private",
      connection: "my-redis",
      input: { channels: ["x"] },
      enabled: false,
    });
    const { token } = await expectStatus(app, "POST", "/api/v1/tokens", 201, {
      name: "acme-op",
      role: "operator",
      tenant: "acme",
    });
    const acme: Api = {
      json: (method, path, body) => app.json(method, path, body, { authorization: `Bearer ${token}` }),
    };
    for (const ref of ["private", "trn:openact:default:event-source/private"]) {
      await expectStatus(acme, "GET", `/api/v1/event-sources/${encodeURIComponent(ref)}`, 404);
      await expectStatus(acme, "POST", `/api/v1/event-sources/${encodeURIComponent(ref)}/enable`, 404);
      await expectStatus(acme, "DELETE", `/api/v1/event-sources/${encodeURIComponent(ref)}`, 404);
    }
    assertEquals((await expectStatus(acme, "GET", "/api/v1/event-sources", 200)).items, []);
    // nor can it subscribe on the default tenant's connection
    const foreign = await expectStatus(acme, "POST", "/api/v1/event-sources", 400, {
      name: "steal",
      connection: "trn:openact:default:connection/redis/my-redis",
      input: { channels: ["x"] },
    });
    assertEquals(foreign.errors[0].path, "/connection");
    const mine = await expectStatus(app, "GET", "/api/v1/event-sources/private", 200);
    assertEquals(mine.trn, "trn:openact:default:event-source/private");
  } finally {
    await app.close();
  }
});

Deno.test("aio act source create/list/get/disable/enable/delete against the real server and Redis", async () => {
  if (!await requireService("Redis", 6379)) return;
  const server = await startServer();
  const aio = (...args: string[]) => runCli(args, { server });
  try {
    const channel = unique("cli-events");
    await createConnection(server, "my-redis", "redis");
    await createWorkflowRule(
      server,
      "cli-rule",
      { source: ["aionix.openact"], detail: { eventSource: ["feed"] } },
      "on-cli",
    );

    let r = await aio(
      "act",
      "source",
      "create",
      "feed",
      "--connection",
      "redis/my-redis",
      "--input",
      JSON.stringify({ channels: [channel] }),
      "--detail-type",
      "Feed Item",
    );
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stdout, "created trn:openact:default:event-source/feed (feed: enabled, running)");

    await publish(server, "my-redis", { channel, message: { title: "hello" } });
    const [run] = await waitForExecutions(server, "on-cli", 1);
    assertEquals([run.input["detail-type"], run.input.detail.data], ["Feed Item", { title: "hello" }]);

    r = await aio("act", "source", "list");
    assertEquals(r.code, 0, r.stderr);
    assertMatch(r.stdout, /feed\s+redis\/my-redis\s+yes\s+running\s+1\s+-/);

    r = await aio("act", "source", "get", "feed", "-o", "json");
    assertEquals(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout);
    assertEquals([got.status, got.messageCount, got.input], ["running", 1, {
      channels: [channel],
      patterns: [],
    }]);

    r = await aio("act", "source", "disable", "feed");
    assertEquals([r.code, r.stdout.trim()], [0, "feed: disabled, stopped"]);
    r = await aio("act", "source", "enable", "trn:openact:default:event-source/feed");
    assertEquals([r.code, r.stdout.trim()], [0, "feed: enabled, running"]);

    r = await aio("act", "source", "create", "bad", "--connection", "my-redis", "--input", "{}");
    assert(r.code !== 0, r.stdout);
    assertStringIncludes(r.stderr, "/input/channels");

    r = await aio("act", "source", "delete", "feed");
    assertEquals([r.code, r.stdout.trim()], [0, "deleted trn:openact:default:event-source/feed"]);
    r = await aio("act", "source", "get", "feed");
    assert(r.code !== 0);
    assertStringIncludes(r.stderr, "not found");
  } finally {
    await server.stop();
  }
});
