/**
 * The file handler behind /studio/: reads studio/dist lazily on request, so the server starts
 * without the dist; a compiled binary embeds it with `--include studio/dist` and the
 * import.meta.dirname-relative path below resolves inside the binary as well. Unknown paths
 * without a file extension fall back to index.html (client-side routes).
 */
import { extname, join, normalize } from "node:path";
import type { Context } from "hono";
import { NotFoundError, ServiceUnavailableError } from "../../runtime/errors.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** Everything Studio needs comes from this server: no CDN scripts, fonts or images. */
const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
};

export const DEFAULT_DIST = join(
  import.meta.dirname ?? ".",
  "..",
  "..",
  "studio",
  "dist",
);

/** The handler serving `dist` (default: the checkout's or the binary's studio/dist). */
export function studioHandler(dist = DEFAULT_DIST): (c: Context) => Promise<Response> {
  const cache = new Map<string, Uint8Array>();

  async function read(rel: string): Promise<Uint8Array | undefined> {
    const hit = cache.get(rel);
    if (hit) return hit;
    try {
      const bytes = await Deno.readFile(join(dist, rel));
      // Hashed assets never change; index.html is re-read so a rebuild shows up without a restart.
      if (rel.startsWith("assets/")) cache.set(rel, bytes);
      return bytes;
    } catch (err) {
      if (
        err instanceof Deno.errors.NotFound ||
        err instanceof Deno.errors.IsADirectory
      ) return undefined;
      throw err;
    }
  }

  async function serve(c: Context) {
    let rel: string;
    try {
      rel = decodeURIComponent(c.req.path.slice("/studio/".length));
    } catch {
      throw new NotFoundError(
        "file",
        c.req.path,
        `'${c.req.path}' is not a valid path`,
      );
    }
    rel = normalize(rel || "index.html").replace(/^(\.\.(\/|$))+/, "");
    if (rel.startsWith("/") || rel.includes("\0")) {
      throw new NotFoundError("file", c.req.path);
    }
    let body = await read(rel);
    let file = rel;
    if (!body && !extname(rel)) {
      body = await read("index.html");
      file = "index.html";
    }
    if (!body) {
      if (!(await read("index.html"))) throw notBuilt(dist);
      throw new NotFoundError(
        "file",
        c.req.path,
        `Studio has no file '${rel}'`,
      );
    }
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": file.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache",
    };
    return c.body(body as Uint8Array<ArrayBuffer>, 200, headers);
  }

  return serve;
}

function notBuilt(dist: string) {
  return new ServiceUnavailableError(
    `Studio is not built (no ${join(dist, "index.html")}): run \`deno task studio:build\` and reload`,
  );
}
