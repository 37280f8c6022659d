/**
 * Where sandboxed code and scratch space live on disk: a private root under the system temp
 * directory holding one directory per code bundle and one scratch directory per Python
 * process. When the server runs as root, Python runs as `nobody`, so those directories are
 * handed to that user.
 */
import type { FunctionSpec } from "./types.ts";

export const NOBODY = 65534;

export class Materializer {
  #root: Promise<string> | undefined;
  #codeDirs = new Map<string, Promise<string>>();
  #nextWork = 1;

  /** The sandbox root (created on first use, removed by close()). */
  root(): Promise<string> {
    return this.#root ??= (async () => {
      const dir = await Deno.makeTempDir({ prefix: "aionix-fn-" });
      // Traversable but not listable by the dropped user, so it can reach its own directories only.
      await Deno.chmod(dir, 0o711);
      return dir;
    })();
  }

  get runsAsRoot(): boolean {
    return Deno.uid() === 0;
  }

  /** Writes a file bundle once per key and returns its directory. */
  codeDir(spec: FunctionSpec): Promise<string> {
    let dir = this.#codeDirs.get(spec.key);
    if (!dir) {
      dir = this.#writeBundle(spec);
      this.#codeDirs.set(spec.key, dir);
      dir.catch(() => this.#codeDirs.delete(spec.key));
    }
    return dir;
  }

  async #writeBundle(spec: FunctionSpec): Promise<string> {
    const { dirname, join, normalize } = await import("node:path"); // not needed before the first call
    const dir = join(await this.root(), "code", spec.key.replace(/[^A-Za-z0-9_-]/g, "_"));
    await Deno.mkdir(dir, { recursive: true, mode: 0o755 });
    const files = spec.source.kind === "files"
      ? spec.source.files
      : { [spec.runtime === "python" ? "main.py" : "main.ts"]: new TextEncoder().encode(spec.source.code) };
    for (const [name, bytes] of Object.entries(files)) {
      const path = normalize(join(dir, name));
      if (!path.startsWith(dir + "/")) throw new Error(`bundle path '${name}' escapes the bundle`);
      await Deno.mkdir(dirname(path), { recursive: true, mode: 0o755 });
      await Deno.writeFile(path, bytes, { mode: 0o644 });
    }
    await Deno.chmod(join(await this.root(), "code"), 0o711).catch(() => {});
    return dir;
  }

  /** A fresh scratch directory (the Python process' cwd, HOME and TMPDIR). */
  async workDir(): Promise<string> {
    const { join } = await import("node:path");
    const dir = join(await this.root(), "work", `p${this.#nextWork++}-${crypto.randomUUID().slice(0, 8)}`);
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    await Deno.chmod(join(await this.root(), "work"), 0o711).catch(() => {});
    if (this.runsAsRoot) await Deno.chown(dir, NOBODY, NOBODY);
    return dir;
  }

  async removeWorkDir(dir: string): Promise<void> {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }

  async forget(key: string): Promise<void> {
    const dir = this.#codeDirs.get(key);
    this.#codeDirs.delete(key);
    if (dir) await Deno.remove(await dir.catch(() => ""), { recursive: true }).catch(() => {});
  }

  async close(): Promise<void> {
    if (this.#root) await Deno.remove(await this.#root, { recursive: true }).catch(() => {});
    this.#root = undefined;
    this.#codeDirs.clear();
  }
}
