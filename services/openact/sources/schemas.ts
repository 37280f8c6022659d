/** zod schemas of the event-source REST bodies and answers (also the OpenAPI document). */
import { z } from "zod";

export const EventSourceSchema = z.object({
  name: z.string(),
  trn: z.string(),
  connection: z.string(),
  connectionTrn: z.string(),
  kind: z.string(),
  input: z.record(z.string(), z.unknown()),
  detailType: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  status: z.enum(["stopped", "starting", "running", "reconnecting", "error"]),
  lastError: z.string().nullable(),
  lastErrorAt: z.string().nullable(),
  messageCount: z.number(),
  lastMessageAt: z.string().nullable(),
  connectedAt: z.string().nullable(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).meta({ id: "EventSource" });

export const CreateEventSourceBody = z.strictObject({
  name: z.string().min(1).max(128).describe("Unique in the tenant, e.g. orders-queue"),
  connection: z.string().min(1).describe(
    "Connection name, KIND/NAME (e.g. redis/my-redis) or connection TRN; redis, rabbitmq, mqtt or nats",
  ),
  input: z.record(z.string(), z.unknown()).describe(
    "What to subscribe to — redis: {channels?, patterns?}; rabbitmq: {queue, prefetch?, declare?}; " +
      "mqtt: {topic | topics, qos?}; nats: {subject, queue?}",
  ),
  detailType: z.string().min(1).max(128).optional().describe(
    'Event detail-type (default "Message Received")',
  ),
  description: z.string().max(1000).optional(),
  enabled: z.boolean().optional().describe("Subscribe right away (default true)"),
}).meta({ id: "CreateEventSource" });

export const ListEventSourcesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  nextToken: z.string().optional(),
  kind: z.string().optional(),
  connection: z.string().optional(),
});
