/**
 * Chat webhooks (Slack, Discord): the webhook URL is a secret (it embeds a token), so it is the
 * connection's credential, never a setting. Posts go through the SSRF guard.
 */
import { z } from "zod";
import type { Connector, ExecuteOptions, ResolvedConnection } from "./types.ts";
import { ConnectorError } from "../errors.ts";
import { guardedFetch } from "../net/ssrf.ts";
import { abortError, deadlineSignal, HttpStatusError } from "../net/common.ts";

export const WebhookSettings = z.strictObject({
  allowPrivateNetwork: z.boolean().default(false).describe("Allow a webhook URL on a private address"),
});

function webhookUrl(kind: string, connection: ResolvedConnection): URL {
  const c = connection.credential;
  const raw = typeof c === "string" ? c : (c as Record<string, unknown> | undefined)?.url;
  if (typeof raw !== "string" || !raw) {
    throw new ConnectorError(
      kind,
      "the connection's credential must hold the webhook URL (store it in CredVault and set it as the credential)",
      "MissingCredential",
    );
  }
  try {
    return new URL(raw);
  } catch {
    throw new ConnectorError(kind, "the credential is not a valid webhook URL", "BadWebhookUrl");
  }
}

export async function postWebhook(
  kind: string,
  connection: ResolvedConnection,
  payload: unknown,
  options: ExecuteOptions,
  query: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const url = webhookUrl(kind, connection);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const { signal, timedOut } = deadlineSignal(options.signal, options.timeoutMs);
  try {
    const res = await guardedFetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
      signal,
    }, {
      allowPrivateNetwork: (connection.settings as { allowPrivateNetwork?: boolean }).allowPrivateNetwork,
    });
    const body = await res.text();
    if (!res.ok) throw new HttpStatusError(kind, res.status, `the webhook answered ${res.status}`, body);
    return { status: res.status, body };
  } catch (err) {
    if (signal.aborted) throw abortError(kind, timedOut(), options.timeoutMs, options.signal, err);
    if (err instanceof TypeError) {
      throw new ConnectorError(kind, `the webhook is unreachable: ${err.message}`, "NetworkError");
    }
    throw err;
  }
}

export function webhookConnector(
  kind: string,
  description: string,
  input: z.ZodType,
  toPayload: (input: Record<string, unknown>) => { payload: unknown; query?: Record<string, string> },
  parse: (status: number, body: string) => unknown,
): Connector {
  return {
    kind,
    description,
    settingsSchema: WebhookSettings,
    operations: { post: { description: "Post a message to the webhook", input } },
    test(connection) {
      const url = webhookUrl(kind, connection);
      return Promise.resolve({
        ok: true,
        host: url.host,
        note: "the URL is well-formed; nothing was posted",
      });
    },
    async execute(connection, _operation, raw, options) {
      const { payload, query } = toPayload(raw as Record<string, unknown>);
      const res = await postWebhook(kind, connection, payload, options, query);
      return parse(res.status, res.body);
    },
    close: () => Promise.resolve(),
  };
}
