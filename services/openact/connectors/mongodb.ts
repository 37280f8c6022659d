/**
 * MongoDB connector (npm `mongodb`): find, findOne, insertOne/Many, updateOne, deleteMany and
 * aggregate, with Extended JSON in and out (mongodb_ops.ts). One MongoClient (its own pool) per
 * connection revision. Reads pass the abort signal to the driver (it kills the cursor) and
 * every operation carries `timeoutMS`; writes that cannot be withdrawn fail promptly.
 *
 * NO MONGODB SERVER IS AVAILABLE on our machines: mongodb_test.ts covers settings/input
 * validation, the Extended JSON mappings, error mapping against an unreachable server and
 * prompt timeouts/cancellation against a silent one; the operations have not run against a
 * real server here.
 */
import type { MongoClient } from "mongodb";
import type { z } from "zod";
import type { Connector, ResolvedConnection } from "./types.ts";
import { PoolCache } from "./shared/pool.ts";
import { withDeadline } from "./shared/deadline.ts";
import { ConnectorError, ConnectorUnavailableError, mapDriverError } from "./shared/errors.ts";
import { operationInput, parseSettings } from "./shared/validate.ts";
import { AppError } from "../../../runtime/errors.ts";
import {
  type findInput,
  fromBson,
  mongoClientConfig,
  mongoOperations,
  settingsSchema,
  toBson,
} from "./mongodb_ops.ts";

const KIND = "mongodb";

interface Client {
  client: MongoClient;
  database: string;
}

const pools = new PoolCache<Client>((c) => c.client.close(true));

function client(connection: ResolvedConnection): Promise<Client> {
  return pools.get(connection, async () => {
    const s = parseSettings(settingsSchema, connection);
    const { uri, options } = mongoClientConfig(s, connection.credential);
    const { MongoClient } = await import("mongodb");
    return { client: new MongoClient(uri, options), database: s.database };
  });
}

const NETWORK = new Set([
  "MongoServerSelectionError",
  "MongoNetworkError",
  "MongoNetworkTimeoutError",
  "MongoTopologyClosedError",
]);

export function mapMongoError(err: unknown, credential?: unknown): Error {
  if (err instanceof AppError) return err;
  const e = err as { name?: string; codeName?: string; code?: number | string };
  const base = mapDriverError(KIND, err, credential);
  if (e?.name && NETWORK.has(e.name)) return new ConnectorUnavailableError(KIND, base.message, e.name);
  if (e?.codeName) return new ConnectorError(KIND, base.message, e.codeName);
  return base;
}

// deno-lint-ignore no-explicit-any
type In = any;

async function run(c: Client, operation: string, i: In, signal: AbortSignal, timeoutMS: number) {
  const col = c.client.db(c.database).collection(i.collection);
  switch (operation) {
    case "find": {
      const f = i as z.output<typeof findInput>;
      const docs = await col.find(await toBson(f.filter), {
        projection: f.projection,
        sort: f.sort,
        limit: f.limit,
        skip: f.skip,
        timeoutMS,
        signal,
      }).toArray();
      return { documents: await fromBson(docs), count: docs.length };
    }
    case "findOne": {
      const d = await col.findOne(await toBson(i.filter), { projection: i.projection, timeoutMS, signal });
      return { document: d === null ? null : await fromBson(d) };
    }
    case "insertOne": {
      const r = await col.insertOne(await toBson(i.document), { timeoutMS });
      return { acknowledged: r.acknowledged, insertedId: await fromBson(r.insertedId) };
    }
    case "insertMany": {
      const r = await col.insertMany(await toBson(i.documents), { ordered: i.ordered, timeoutMS });
      const ids = Object.keys(r.insertedIds).sort((a, b) => Number(a) - Number(b))
        .map((k) => r.insertedIds[Number(k)]);
      return {
        acknowledged: r.acknowledged,
        insertedCount: r.insertedCount,
        insertedIds: await fromBson(ids),
      };
    }
    case "updateOne": {
      const r = await col.updateOne(await toBson(i.filter), await toBson(i.update), {
        upsert: i.upsert,
        timeoutMS,
      });
      return {
        matchedCount: r.matchedCount,
        modifiedCount: r.modifiedCount,
        upsertedId: r.upsertedId === null ? null : await fromBson(r.upsertedId),
      };
    }
    case "deleteMany": {
      const r = await col.deleteMany(await toBson(i.filter), { timeoutMS });
      return { deletedCount: r.deletedCount };
    }
    case "aggregate": {
      const cursor = col.aggregate(await toBson(i.pipeline), {
        allowDiskUse: i.allowDiskUse,
        timeoutMS,
        signal,
      });
      const docs: unknown[] = [];
      for await (const d of cursor) {
        docs.push(d);
        if (docs.length >= i.maxDocuments) break;
      }
      await cursor.close();
      return { documents: await fromBson(docs), count: docs.length };
    }
  }
  throw new Error(`unhandled mongodb operation ${operation}`);
}

/** A client whose topology failed (or closed) is dropped so the next call starts afresh. */
async function evictOnNetworkError<T>(connection: ResolvedConnection, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof ConnectorUnavailableError) await pools.evict(connection.trn);
    throw err;
  }
}

const connector: Connector = {
  kind: KIND,
  description: "MongoDB: find, insert, update, delete and aggregate with Extended JSON",
  settingsSchema,
  operations: mongoOperations,
  async test(connection, options) {
    const started = Date.now();
    const info = await evictOnNetworkError(
      connection,
      withDeadline(options, async (signal) => {
        const c = await client(connection);
        const db = c.client.db(c.database);
        await db.command({ ping: 1 }, { signal, timeoutMS: options.timeoutMs });
        const build = await db.command({ buildInfo: 1 }, { signal, timeoutMS: options.timeoutMs });
        return { serverVersion: build.version as string, database: c.database };
      }, {
        kind: KIND,
        what: "connection test",
        credential: connection.credential,
        mapError: (err) => mapMongoError(err, connection.credential),
      }),
    );
    return { ok: true, ...info, latencyMs: Date.now() - started };
  },
  execute(connection, operation, input, options) {
    const valid = operationInput(KIND, mongoOperations, operation, input);
    return evictOnNetworkError(
      connection,
      withDeadline(options, async (signal) => {
        const c = await client(connection);
        return await run(c, operation, valid, signal, options.timeoutMs);
      }, {
        kind: KIND,
        what: operation,
        credential: connection.credential,
        mapError: (err) => mapMongoError(err, connection.credential),
      }),
    );
  },
  close: (trn) => pools.close(trn),
};

export default connector;
