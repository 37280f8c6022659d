/**
 * fs: read, write, list, stat and delete files inside a configured root. Paths are relative to
 * the root; `..` cannot climb out and symbolic links that resolve outside the root are refused.
 */
import { z } from "zod";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Connector, ResolvedConnection } from "./types.ts";
import { ConnectorError } from "../errors.ts";
import { ForbiddenError, NotFoundError, ValidationError } from "../../../runtime/errors.ts";

const KIND = "fs";

const Settings = z.strictObject({
  root: z.string().min(1).refine(isAbsolute, "must be an absolute directory path"),
  readOnly: z.boolean().default(false),
  maxFileBytes: z.number().int().positive().default(10 * 1024 * 1024),
});
type Settings = z.infer<typeof Settings>;

const Path = z.string().min(1).max(4096).describe("Path relative to the connection's root");
const ops = {
  read: z.strictObject({ path: Path, encoding: z.enum(["utf8", "base64"]).default("utf8") }),
  write: z.strictObject({
    path: Path,
    content: z.string().optional(),
    contentBase64: z.string().optional(),
    append: z.boolean().default(false),
    createDirs: z.boolean().default(true),
  }).refine((v) => (v.content === undefined) !== (v.contentBase64 === undefined), {
    message: "give exactly one of content or contentBase64",
    path: ["content"],
  }),
  list: z.strictObject({ path: z.string().default("."), recursive: z.boolean().default(false) }),
  stat: z.strictObject({ path: Path }),
  delete: z.strictObject({ path: Path, recursive: z.boolean().default(false) }),
};

const inside = (root: string, p: string) =>
  p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);

/** Resolves a user path under the root; the nearest existing ancestor's real path must stay inside. */
async function safePath(settings: Settings, userPath: string): Promise<{ abs: string; root: string }> {
  const root = await Deno.realPath(settings.root).catch(() => {
    throw new ConnectorError(KIND, `the root ${settings.root} does not exist`, "NoRoot");
  });
  const abs = resolve(root, userPath.replace(/^[/\\]+/, ""));
  if (!inside(root, abs)) {
    throw new ForbiddenError(`fs: path '${userPath}' leaves the connection's root`);
  }
  // Follow symlinks on the existing part of the path.
  let probe = abs;
  for (;;) {
    try {
      const real = await Deno.realPath(probe);
      if (!inside(root, real)) {
        throw new ForbiddenError(`fs: path '${userPath}' resolves outside the root through a link`);
      }
      break;
    } catch (err) {
      if (err instanceof ForbiddenError) throw err;
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      const up = dirname(probe);
      if (up === probe) break;
      probe = up;
    }
  }
  return { abs, root };
}

function notFound(userPath: string, err: unknown): never {
  if (err instanceof Deno.errors.NotFound) throw new NotFoundError("file", userPath);
  throw new ConnectorError(KIND, `${userPath}: ${(err as Error).message}`, (err as Error).name);
}

const toBase64 = (bytes: Uint8Array) => {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};

async function list(abs: string, root: string, recursive: boolean) {
  const out: { path: string; type: string; size: number; modified: string | null }[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const full = join(dir, e.name);
      const st = await Deno.lstat(full);
      out.push({
        path: relative(root, full).split(sep).join("/"),
        type: e.isDirectory ? "directory" : e.isSymlink ? "symlink" : "file",
        size: st.size,
        modified: st.mtime?.toISOString() ?? null,
      });
      if (recursive && e.isDirectory && out.length < 10_000) await walk(full);
    }
  };
  await walk(abs);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

const connector: Connector = {
  kind: KIND,
  description: "Local files inside a configured root directory",
  settingsSchema: Settings,
  operations: {
    read: { description: "Read a file as UTF-8 text or base64", input: ops.read },
    write: { description: "Write (or append to) a file", input: ops.write },
    list: { description: "List a directory (optionally recursive)", input: ops.list },
    stat: { description: "Size, type and modification time of a path", input: ops.stat },
    delete: { description: "Delete a file or (with recursive) a directory", input: ops.delete },
  },
  async test(connection: ResolvedConnection) {
    const s = connection.settings as Settings;
    const st = await Deno.stat(s.root).catch(() => {
      throw new ConnectorError(KIND, `the root ${s.root} does not exist`, "NoRoot");
    });
    if (!st.isDirectory) throw new ConnectorError(KIND, `the root ${s.root} is not a directory`, "NoRoot");
    return { ok: true, root: s.root, readOnly: s.readOnly };
  },
  async execute(connection, operation, raw) {
    const s = connection.settings as Settings;
    const input = raw as Record<string, unknown> & { path: string };
    if (s.readOnly && (operation === "write" || operation === "delete")) {
      throw new ForbiddenError(`fs: the connection '${connection.name}' is read-only`);
    }
    const { abs, root } = await safePath(s, input.path);
    switch (operation) {
      case "read": {
        const st = await Deno.stat(abs).catch((e) => notFound(input.path, e));
        if (st.size > s.maxFileBytes) {
          throw new ValidationError([{
            path: "/input/path",
            message: `file is larger than maxFileBytes (${s.maxFileBytes})`,
          }]);
        }
        const bytes = await Deno.readFile(abs).catch((e) => notFound(input.path, e));
        return {
          path: input.path,
          size: bytes.length,
          content: input.encoding === "base64" ? toBase64(bytes) : new TextDecoder().decode(bytes),
        };
      }
      case "write": {
        const bytes = input.content !== undefined
          ? new TextEncoder().encode(input.content as string)
          : Uint8Array.from(atob(input.contentBase64 as string), (c) => c.charCodeAt(0));
        if (bytes.length > s.maxFileBytes) {
          throw new ValidationError([{
            path: "/input/content",
            message: `larger than maxFileBytes (${s.maxFileBytes})`,
          }]);
        }
        if (input.createDirs) await Deno.mkdir(dirname(abs), { recursive: true });
        try {
          const st = await Deno.lstat(abs);
          if (st.isSymlink) {
            throw new ForbiddenError(`fs: '${input.path}' is a symbolic link; write to its target instead`);
          }
        } catch (err) {
          if (!(err instanceof Deno.errors.NotFound)) throw err;
        }
        await Deno.writeFile(abs, bytes, { append: input.append as boolean }).catch((e) =>
          notFound(input.path, e)
        );
        return { path: input.path, bytes: bytes.length };
      }
      case "list":
        return {
          items: await list(abs, root, input.recursive as boolean).catch((e) => notFound(input.path, e)),
        };
      case "stat": {
        const st = await Deno.lstat(abs).catch((e) => notFound(input.path, e));
        return {
          path: input.path,
          type: st.isDirectory ? "directory" : st.isSymlink ? "symlink" : "file",
          size: st.size,
          modified: st.mtime?.toISOString() ?? null,
        };
      }
      case "delete":
        if (abs === root) throw new ForbiddenError("fs: the root itself cannot be deleted");
        await Deno.remove(abs, { recursive: input.recursive as boolean }).catch((e) =>
          notFound(input.path, e)
        );
        return { path: input.path, deleted: true };
    }
    throw new ConnectorError(KIND, `unknown operation '${operation}'`);
  },
  close: () => Promise.resolve(),
};

export default connector;
