/**
 * SSRF guard for HTTP-style connectors: the destination host is resolved and refused when any
 * address is loopback, private, link-local, CGNAT, multicast or reserved — unless the connection
 * sets allowPrivateNetwork. guardedFetch follows redirects itself (≤ maxRedirects) and checks
 * every hop, so a public URL cannot bounce a request into the private network. It then connects
 * to the address it checked (a pinned TCP transport; TLS still verifies the host name), so a DNS
 * answer that changes between the check and the connection (DNS rebinding) cannot redirect it.
 */
import { BlockedDestinationError } from "../errors.ts";

const V4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * 4 or 6 for an IPv4/IPv6 literal (an IPv6 zone id like `%eth0` allowed), else 0 — as node:net's
 * isIP, without loading node:net (and the Node compatibility modules it pulls in) at start.
 */
export function ipFamily(s: string): 0 | 4 | 6 {
  if (V4_RE.test(s)) return 4;
  const bare = s.replace(/%[0-9A-Za-z._~-]+$/, "");
  if (!bare.includes(":") || /[^0-9A-Fa-f:.]/.test(bare)) return 0;
  try {
    new URL(`http://[${bare}]/`); // the WHATWG URL parser accepts exactly the IPv6 literals
    return 6;
  } catch {
    return 0;
  }
}

const V4_BLOCKS: Array<[string, number, string]> = [
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "carrier-grade NAT"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "IETF protocol assignments"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "benchmarking"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];

function v4ToInt(ip: string): number {
  return ip.split(".").reduce((acc, part) => (acc << 8) + Number(part), 0) >>> 0;
}

function v4Reason(ip: string): string | undefined {
  const n = v4ToInt(ip);
  for (const [base, bits, reason] of V4_BLOCKS) {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    if ((n & mask) === (v4ToInt(base) & mask)) return reason;
  }
  return undefined;
}

/** Expands an IPv6 address to 8 numeric groups (handles `::` and an embedded IPv4 tail). */
function v6Groups(ip: string): number[] {
  let addr = ip.toLowerCase().replace(/%.*$/, "");
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(addr);
  if (v4Tail) {
    const n = v4ToInt(v4Tail[1]);
    addr = addr.slice(0, -v4Tail[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = addr.split("::");
  const h = head ? head.split(":") : [];
  const t = tail !== undefined ? (tail ? tail.split(":") : []) : [];
  const fill = tail !== undefined ? Array(8 - h.length - t.length).fill("0") : [];
  return [...h, ...fill, ...t].map((g) => parseInt(g || "0", 16));
}

/** Why an address may not be reached without allowPrivateNetwork, or undefined when it is public. */
export function blockedReason(ip: string): string | undefined {
  const family = ipFamily(ip);
  if (family === 4) return v4Reason(ip);
  if (family !== 6) return "not an IP address";
  const g = v6Groups(ip);
  if (g.every((x) => x === 0)) return "unspecified";
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return "loopback";
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 address to check.
  const embedded = `${g[6] >> 8}.${g[6] & 255}.${g[7] >> 8}.${g[7] & 255}`;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return v4Reason(embedded);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4Reason(embedded);
  if ((g[0] & 0xfe00) === 0xfc00) return "unique local (private)";
  if ((g[0] & 0xffc0) === 0xfe80) return "link-local";
  if ((g[0] & 0xff00) === 0xff00) return "multicast";
  if (g[0] === 0x2001 && g[1] === 0x0db8) return "documentation";
  return undefined;
}

export type Resolver = (host: string) => Promise<string[]>;

// getaddrinfo (hosts file, resolv.conf) as the rest of the system sees it; loaded on first use.
const systemResolver: Resolver = async (host) => {
  const { lookup } = await import("node:dns/promises");
  return (await lookup(host, { all: true })).map((a) => a.address);
};

export interface GuardOptions {
  allowPrivateNetwork?: boolean;
  /** Replaces DNS resolution (tests). */
  resolve?: Resolver;
}

/**
 * Throws BlockedDestinationError when the URL's host resolves to a non-public address. Returns the
 * checked address to connect to, or undefined when nothing was checked (allowPrivateNetwork).
 */
export async function checkDestination(url: URL, options: GuardOptions = {}): Promise<string | undefined> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new BlockedDestinationError(`only http and https URLs are allowed (got ${url.protocol})`);
  }
  if (options.allowPrivateNetwork) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (ipFamily(host)) addresses = [host];
  else {
    try {
      addresses = await (options.resolve ?? systemResolver)(host);
    } catch (err) {
      throw new BlockedDestinationError(`cannot resolve host '${host}': ${(err as Error).message}`);
    }
    if (!addresses.length) throw new BlockedDestinationError(`host '${host}' has no addresses`);
  }
  for (const address of addresses) {
    const reason = blockedReason(address);
    if (reason) {
      throw new BlockedDestinationError(
        `destination ${host}${host === address ? "" : ` (${address})`} is a ${reason} address: ` +
          "set allowPrivateNetwork: true in the connection settings to allow it",
      );
    }
  }
  return addresses[0];
}

/** HTTP clients that connect to one checked address, shared per address and port (small LRU). */
const pinnedClients = new Map<string, Deno.HttpClient>();

export function pinnedClient(address: string, url: URL): Deno.HttpClient {
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const key = `${address}|${port}`;
  let client = pinnedClients.get(key);
  if (client) {
    pinnedClients.delete(key); // re-insert: most recently used last
  } else {
    client = Deno.createHttpClient({
      proxy: { transport: "tcp", hostname: address, port },
      poolIdleTimeout: 30_000,
    });
    if (pinnedClients.size >= 64) {
      const [oldest, old] = pinnedClients.entries().next().value!;
      pinnedClients.delete(oldest);
      old.close();
    }
  }
  pinnedClients.set(key, client);
  return client;
}

export interface GuardedFetchOptions extends GuardOptions {
  /** Redirects to follow (0–5); each target is checked again. */
  maxRedirects?: number;
  /** Deno HTTP client (connection pool) to use. */
  client?: Deno.HttpClient;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** fetch() with the SSRF check on the URL and on every redirect hop. */
export async function guardedFetch(
  input: string | URL,
  init: RequestInit,
  options: GuardedFetchOptions = {},
): Promise<Response> {
  let url = new URL(input);
  let method = (init.method ?? "GET").toUpperCase();
  let body = init.body;
  const headers = new Headers(init.headers);
  const max = Math.min(options.maxRedirects ?? 5, 5);
  for (let hop = 0;; hop++) {
    const address = await checkDestination(url, options);
    const client = address ? pinnedClient(address, url) : options.client;
    const res = await fetch(url, {
      ...init,
      method,
      headers,
      body,
      redirect: "manual",
      ...(client ? { client } : {}),
    } as RequestInit);
    if (!REDIRECTS.has(res.status)) return res;
    const location = res.headers.get("location");
    if (!location) return res;
    if (hop >= max) {
      await res.body?.cancel();
      if (max === 0) return res;
      throw new BlockedDestinationError(
        `too many redirects (more than ${max}) starting at ${new URL(input).origin}`,
      );
    }
    await res.body?.cancel();
    const next = new URL(location, url);
    if (next.origin !== url.origin) {
      // Credentials are for the original origin only.
      headers.delete("authorization");
      headers.delete("cookie");
    }
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
      method = method === "HEAD" ? "HEAD" : "GET";
      body = undefined;
      headers.delete("content-type");
      headers.delete("content-length");
    }
    url = next;
  }
}
