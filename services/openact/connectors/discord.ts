/** discord: post a message through a channel webhook URL (the connection's credential). */
import { z } from "zod";
import { webhookConnector } from "./webhook.ts";

const Input = z.strictObject({
  content: z.string().max(2000).optional().describe("Message text (up to 2000 characters)"),
  username: z.string().max(80).optional(),
  avatar_url: z.url().optional(),
  tts: z.boolean().optional(),
  embeds: z.array(z.record(z.string(), z.unknown())).max(10).optional(),
  allowed_mentions: z.record(z.string(), z.unknown()).optional(),
  thread_id: z.string().optional().describe("Post into this thread"),
}).refine((v) => v.content !== undefined || (v.embeds?.length ?? 0) > 0, {
  message: "give content or at least one embed",
  path: ["content"],
});

export default webhookConnector(
  "discord",
  "Discord messages via a channel webhook",
  Input,
  (input) => {
    const { thread_id, ...payload } = input;
    // wait=true makes Discord answer with the created message instead of 204.
    return { payload, query: { wait: "true", ...(thread_id ? { thread_id: String(thread_id) } : {}) } };
  },
  (status, body) => {
    let message: unknown = null;
    try {
      message = body ? JSON.parse(body) : null;
    } catch { /* plain text answer */ }
    return { ok: true, status, id: (message as { id?: string } | null)?.id ?? null, message };
  },
);
