/**
 * smtp: send mail (text/html, attachments) with nodemailer over a pooled SMTP connection.
 * Credential: the password (with settings.username) or {username, password}.
 */
import { z } from "zod";
import type { Connector, ExecuteOptions, ResolvedConnection } from "./types.ts";
import { ConnectorError } from "../errors.ts";
import { abortError, deadlineSignal } from "../net/common.ts";
import { PoolCache } from "./shared/pool.ts";
import type { Transporter } from "nodemailer";
import { Buffer } from "node:buffer";

const KIND = "smtp";

const Settings = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  secure: z.boolean().default(false).describe(
    "TLS from the start (port 465); otherwise STARTTLS when offered",
  ),
  requireTLS: z.boolean().default(false),
  ignoreTLS: z.boolean().default(false).describe("Never upgrade with STARTTLS (plain local relays only)"),
  rejectUnauthorized: z.boolean().default(true),
  username: z.string().optional().describe("Or store {username, password} as the credential"),
  from: z.string().optional().describe("Default sender, e.g. 'Ops <ops@example.com>'"),
  maxConnections: z.number().int().min(1).max(20).default(3),
});
type Settings = z.infer<typeof Settings>;

const Address = z.union([z.string().min(3), z.array(z.string().min(3)).min(1)]);
const Send = z.strictObject({
  from: z.string().optional(),
  to: Address,
  cc: Address.optional(),
  bcc: Address.optional(),
  replyTo: z.string().optional(),
  subject: z.string().max(998).default(""),
  text: z.string().optional(),
  html: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  attachments: z.array(
    z.strictObject({
      filename: z.string().min(1),
      content: z.string().optional().describe("Text content"),
      contentBase64: z.string().optional().describe("Binary content, base64"),
      contentType: z.string().optional(),
    }).refine((a) => (a.content === undefined) !== (a.contentBase64 === undefined), {
      message: "give exactly one of content or contentBase64",
      path: ["content"],
    }),
  ).max(20).default([]),
}).refine((v) => v.text !== undefined || v.html !== undefined, {
  message: "give text or html",
  path: ["text"],
});
type Send = z.infer<typeof Send>;

const pools = new PoolCache<Transporter>((t) => t.close());

function auth(connection: ResolvedConnection) {
  const s = connection.settings as Settings;
  const c = connection.credential;
  if (c === undefined || c === null) return undefined;
  const user = s.username ?? (typeof c === "object" ? (c as Record<string, unknown>).username : undefined);
  const pass = typeof c === "string" ? c : (c as Record<string, unknown>).password;
  if (typeof user !== "string" || typeof pass !== "string") {
    throw new ConnectorError(
      KIND,
      "set settings.username with a password credential, or store {username, password}",
      "MissingCredential",
    );
  }
  return { user, pass };
}

function transport(connection: ResolvedConnection): Promise<Transporter> {
  return pools.get(connection, async () => {
    const nodemailer = (await import("nodemailer")).default;
    const s = connection.settings as Settings;
    const credentials = auth(connection);
    return nodemailer.createTransport({
      pool: true,
      maxConnections: s.maxConnections,
      host: s.host,
      port: s.port,
      secure: s.secure,
      requireTLS: s.requireTLS,
      ignoreTLS: s.ignoreTLS,
      tls: { rejectUnauthorized: s.rejectUnauthorized },
      ...(credentials ? { auth: credentials } : {}),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  });
}

async function guarded<T>(
  options: ExecuteOptions,
  connection: ResolvedConnection,
  work: () => Promise<T>,
): Promise<T> {
  const { signal, timedOut } = deadlineSignal(options.signal, options.timeoutMs);
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(KIND, timedOut(), options.timeoutMs, options.signal, signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([work(), aborted]);
  } catch (err) {
    if (signal.aborted) {
      // The message may be half-sent on a pooled socket: drop the pool so the next call reconnects.
      await pools.evict(connection.trn);
      throw abortError(KIND, timedOut(), options.timeoutMs, options.signal, err);
    }
    if (err instanceof ConnectorError) throw err;
    const e = err as { message?: string; code?: string; responseCode?: number };
    throw new ConnectorError(
      KIND,
      e.message ?? String(err),
      e.code ?? (e.responseCode ? `SMTP_${e.responseCode}` : undefined),
    );
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

const connector: Connector = {
  kind: KIND,
  description: "Send e-mail over SMTP (text/html, attachments)",
  settingsSchema: Settings,
  operations: {
    send: { description: "Send one message; returns {messageId, accepted, rejected}", input: Send },
  },
  test(connection, options) {
    return guarded(options, connection, async () => {
      await (await transport(connection)).verify();
      const s = connection.settings as Settings;
      return { ok: true, host: s.host, port: s.port };
    });
  },
  execute(connection, _operation, raw, options) {
    const input = raw as Send;
    const s = connection.settings as Settings;
    const from = input.from ?? s.from;
    if (!from) {
      throw new ConnectorError(
        KIND,
        "no sender: give from, or set settings.from on the connection",
        "NoSender",
      );
    }
    return guarded(options, connection, async () => {
      const mailer = await transport(connection);
      const info: { messageId: string; accepted?: unknown[]; rejected?: unknown[]; response?: string } =
        await mailer.sendMail({
          from,
          to: input.to,
          cc: input.cc,
          bcc: input.bcc,
          replyTo: input.replyTo,
          subject: input.subject,
          text: input.text,
          html: input.html,
          headers: input.headers,
          attachments: input.attachments.map((a) => ({
            filename: a.filename,
            content: a.content ?? Buffer.from(a.contentBase64!, "base64"),
            contentType: a.contentType,
          })),
        });
      return {
        messageId: info.messageId,
        accepted: (info.accepted ?? []).map(String),
        rejected: (info.rejected ?? []).map(String),
        response: info.response,
      };
    });
  },
  close: (trn) => pools.close(trn),
};

export default connector;
