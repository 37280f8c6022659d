/**
 * NATS connector (`@nats-io/transport-node` + `@nats-io/jetstream`, v3): core publish (flushed,
 * so the server has it when the call returns), request/reply, JetStream publish with the PubAck
 * (stream, sequence, duplicate detection via msgId, expectations), and subscribe() as an event
 * source for Igniter (own connection, reconnects and resubscribes by itself; queue groups; or a
 * durable JetStream consumer acked after Igniter stored the event — nats_jetstream.ts).
 * One connection per connection revision; NATS calls cannot be withdrawn, so timeouts and
 * cancellation fail promptly (requests also carry the timeout to the client).
 * Tested against the real NATS server with JetStream on 127.0.0.1:4222 (nats_test.ts).
 */
import { z } from "zod";
import type { ConnectionOptions, MsgHdrs, NatsConnection } from "@nats-io/transport-node";
import type { Connector, ResolvedConnection } from "./types.ts";
import { PoolCache } from "./shared/pool.ts";
import { withDeadline } from "./shared/deadline.ts";
import {
  ConnectorError,
  ConnectorTimeoutError,
  ConnectorUnavailableError,
  mapDriverError,
} from "./shared/errors.ts";
import { operationInput, parseInput, parseSettings, userPass } from "./shared/validate.ts";
import { decodePayload, encodePayload } from "./shared/json.ts";
import { subscribeJetStream } from "./nats_jetstream.ts";

const KIND = "nats";

export const settingsSchema = z.strictObject({
  servers: z.array(
    z.string().regex(/^(nats|tls):\/\/[^\s]+$|^[^\s/]+:\d+$/, "use host:port or nats://host:port"),
  )
    .min(1).default(["127.0.0.1:4222"]),
  user: z.string().min(1).optional().describe("with a user the credential is the password, else a token"),
  tls: z.boolean().default(false),
  name: z.string().max(128).default("aionix-openact").describe("client name shown in server monitoring"),
  connectTimeoutMs: z.int().min(100).max(120_000).default(10_000),
});

const subject = z.string().min(1).max(1024).regex(
  /^[^\s*>]+$/,
  "a publish subject has no spaces or wildcards",
);
const message = z.unknown().default("").describe("string as-is; anything else is sent as JSON");
const headers = z.record(
  z.string().regex(/^[!-9;-~]+$/, "header names are printable ASCII without ':'"),
  z.string(),
)
  .optional();

export const operations = {
  publish: {
    description: "Publish a message on a subject",
    input: z.strictObject({ subject, message, headers, replyTo: subject.optional() }),
  },
  request: {
    description: "Send a request and wait for the first reply",
    input: z.strictObject({ subject, message, headers }),
  },
  jetstreamPublish: {
    description: "Publish to a JetStream stream and return its acknowledgement",
    input: z.strictObject({
      subject,
      message,
      headers,
      msgId: z.string().min(1).max(256).optional().describe("deduplication id within the stream's window"),
      expectStream: z.string().min(1).optional(),
      expectLastSequence: z.int().min(0).optional(),
    }),
  },
};

const jsName = (what: string) =>
  z.string().min(1).max(256).regex(/^[^\s.*>]+$/, `a ${what} name has no spaces, '.', '*' or '>'`);

export const subscribeInput = z.strictObject({
  subject: z.string().min(1).max(1024).regex(/^\S+$/).describe("subject; * and > wildcards allowed"),
  queue: z.string().min(1).max(256).optional().describe("queue group: each message goes to one member"),
  jetstream: z.strictObject({
    stream: jsName("stream").describe("the stream that captures the subject"),
    durable: jsName("durable consumer").describe(
      "created when missing; sources sharing it share the messages",
    ),
    deliver: z.enum(["new", "all"]).default("new").describe(
      "where a new consumer starts: new messages, or all",
    ),
    ackWaitSeconds: z.int().min(1).max(3600).default(30).describe("redelivery after this long without ack"),
    maxDeliver: z.int().min(1).max(10_000).optional().describe("deliveries per message before giving up"),
  }).optional().describe(
    "consume through a durable JetStream consumer: a message is acked only after Igniter stored it (at-least-once)",
  ),
}).refine((i) => !(i.queue && i.jetstream), {
  message: "use queue (core NATS) or jetstream (a durable consumer already shares messages), not both",
  path: ["queue"],
});

const pools = new PoolCache<NatsConnection>((nc) => nc.close());

async function open(connection: ResolvedConnection): Promise<NatsConnection> {
  const s = parseSettings(settingsSchema, connection);
  const cred = userPass(connection.credential);
  const { connect } = await import("@nats-io/transport-node");
  const user = cred.username ?? s.user;
  const options: ConnectionOptions = {
    servers: s.servers,
    name: s.name,
    timeout: s.connectTimeoutMs,
    reconnect: true,
    maxReconnectAttempts: -1,
    ...(user ? { user, pass: cred.password ?? cred.token } : { token: cred.token ?? cred.password }),
    ...(s.tls ? { tls: {} } : {}),
  };
  try {
    return await connect(options);
  } catch (err) {
    throw mapNatsError(err, connection.credential);
  }
}

function mapNatsError(err: unknown, credential: unknown) {
  const e = err as { name?: string; message?: string; code?: string };
  const name = e?.name ?? "";
  const message = `${KIND}: ${e?.message ?? String(err)}`;
  if (name === "ConnectionError" || /ECONNREFUSED|connection refused/i.test(message)) {
    return new ConnectorUnavailableError(
      KIND,
      mapDriverError(KIND, err, credential).message,
      e.code ?? "CONNECTION",
    );
  }
  if (name === "NoRespondersError" || /no responders/i.test(message)) {
    return new ConnectorError(KIND, `${KIND}: no responders are subscribed to that subject`, "NO_RESPONDERS");
  }
  if (/jetstream is not enabled/i.test(message)) {
    return new ConnectorError(
      KIND,
      `${KIND}: no JetStream stream captures that subject (or JetStream is not enabled on the server)`,
      "NO_STREAM",
    );
  }
  if (name === "AuthorizationError") return new ConnectorUnavailableError(KIND, message, "AUTHORIZATION");
  return mapDriverError(KIND, err, credential);
}

const client = (connection: ResolvedConnection) => pools.get(connection, () => open(connection));

async function toHeaders(h: Record<string, string> | undefined): Promise<MsgHdrs | undefined> {
  if (!h || !Object.keys(h).length) return undefined;
  const { headers } = await import("@nats-io/transport-node");
  const out = headers();
  for (const [k, v] of Object.entries(h)) out.set(k, v);
  return out;
}

function fromHeaders(h: MsgHdrs | undefined): Record<string, string> {
  if (!h) return {};
  const out: Record<string, string> = {};
  for (const k of h.keys()) out[k] = h.get(k);
  return out;
}

// deno-lint-ignore no-explicit-any
type In = any;

async function run(connection: ResolvedConnection, operation: string, i: In, timeoutMs: number) {
  const nc = await client(connection);
  const payload = encodePayload(i.message);
  const hdrs = await toHeaders(i.headers);
  switch (operation) {
    case "publish":
      nc.publish(i.subject, payload, { headers: hdrs, reply: i.replyTo });
      await nc.flush();
      return { published: true, subject: i.subject };
    case "request": {
      const reply = await nc.request(i.subject, payload, { timeout: timeoutMs, headers: hdrs });
      const { data, raw } = decodePayload(reply.data);
      return { subject: reply.subject, data, raw, headers: fromHeaders(reply.headers) };
    }
    case "jetstreamPublish": {
      const { jetstream } = await import("@nats-io/jetstream");
      const expect: Record<string, unknown> = {};
      if (i.expectStream) expect.streamName = i.expectStream;
      if (i.expectLastSequence !== undefined) expect.lastSequence = i.expectLastSequence;
      const ack = await jetstream(nc).publish(i.subject, payload, {
        headers: hdrs,
        msgID: i.msgId,
        expect,
        timeout: timeoutMs,
      });
      return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
    }
  }
  throw new Error(`unhandled nats operation ${operation}`);
}

const connector: Connector & { subscribeInput: typeof subscribeInput } = {
  kind: KIND,
  description: "NATS: publish, request/reply, JetStream publish, and subscribe as an event source",
  settingsSchema,
  operations,
  subscribeInput,
  async test(connection, options) {
    const started = Date.now();
    const info = await withDeadline(options, async () => {
      const nc = await client(connection);
      const rtt = await nc.rtt();
      return {
        server: nc.info?.server_name,
        version: nc.info?.version,
        jetstream: nc.info?.jetstream ?? false,
        rtt,
      };
    }, {
      kind: KIND,
      what: "connection test",
      credential: connection.credential,
      mapError: (err) => mapNatsError(err, connection.credential),
    });
    return { ok: true, ...info, latencyMs: Date.now() - started };
  },
  async execute(connection, operation, input, options) {
    const valid = operationInput(KIND, operations, operation, input);
    try {
      return await withDeadline(options, () => run(connection, operation, valid, options.timeoutMs), {
        kind: KIND,
        what: operation,
        credential: connection.credential,
      });
    } catch (err) {
      if ((err as Error)?.name === "TimeoutError") {
        throw new ConnectorTimeoutError(KIND, operation, options.timeoutMs);
      }
      throw mapNatsError(err, connection.credential);
    }
  },
  // Only JetStream consumers hold a message until the handler is done with it.
  subscribeAcks: (input) => input.jetstream !== undefined,
  async subscribe(connection, input, onMessage, hooks) {
    const i = parseInput(subscribeInput, input);
    const nc = await open(connection);
    let stopping = false;
    if (hooks?.onStatus) {
      const onStatus = hooks.onStatus;
      // the client reconnects forever and resubscribes by itself; report the transitions
      (async () => {
        for await (const s of nc.status()) {
          if (s.type === "disconnect") onStatus("reconnecting", new Error(`disconnected from ${s.server}`));
          else if (s.type === "reconnect") onStatus("connected");
        }
      })().catch(() => {});
      nc.closed().then((err) => {
        if (!stopping) onStatus("closed", err ?? new Error("the NATS connection closed"));
      });
    }
    if (i.jetstream) {
      try {
        const stop = await subscribeJetStream(nc, i.subject, i.jetstream, onMessage, hooks);
        return async () => {
          stopping = true;
          await stop();
          await nc.drain().catch(() => nc.close());
        };
      } catch (err) {
        stopping = true;
        await nc.close().catch(() => {});
        throw err instanceof ConnectorError ? err : mapNatsError(err, connection.credential);
      }
    }
    nc.subscribe(i.subject, {
      queue: i.queue,
      callback: (err, msg) => {
        if (err) return;
        const { data, raw } = decodePayload(msg.data);
        onMessage({ subject: msg.subject, data, raw });
      },
    });
    try {
      await nc.flush(); // the server has the subscription before we return
    } catch (err) {
      stopping = true;
      await nc.close().catch(() => {});
      throw mapNatsError(err, connection.credential);
    }
    return async () => {
      stopping = true;
      await nc.drain().catch(() => nc.close());
    };
  },
  close: (trn) => pools.close(trn),
};

export default connector;
