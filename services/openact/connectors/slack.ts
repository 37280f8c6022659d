/** slack: post a message through an incoming-webhook URL (the connection's credential). */
import { z } from "zod";
import { webhookConnector } from "./webhook.ts";

const Input = z.strictObject({
  text: z.string().min(1).max(40_000).describe("Message text (mrkdwn); also the notification fallback"),
  blocks: z.array(z.record(z.string(), z.unknown())).optional().describe("Block Kit blocks"),
  attachments: z.array(z.record(z.string(), z.unknown())).optional(),
  thread_ts: z.string().optional(),
  username: z.string().optional(),
  icon_emoji: z.string().optional(),
  channel: z.string().optional(),
  unfurl_links: z.boolean().optional(),
});

export default webhookConnector(
  "slack",
  "Slack messages via an incoming webhook",
  Input,
  (input) => ({ payload: input }),
  (status, body) => ({ ok: true, status, response: body }),
);
