/**
 * `deno task layers`: enforces the layer rules of DESIGN.md §2 on import statements.
 * - runtime/ imports nothing from services/, cli/, studio/ (type-only imports of server.ts allowed).
 * - a service imports another service only through its mod.ts (or types.ts as type-only).
 * - cli/ and studio/ import services only as `import type` from services/x/types.ts; cli/ never
 *   imports server.ts or runtime/ modules other than the pure ones listed below.
 * - Deno.env / Deno.serve appear only in main.ts and runtime/.
 */
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..");
const CLI_RUNTIME_ALLOWED = new Set(["runtime/version.ts", "runtime/trn.ts"]);
const SKIP_DIRS = new Set(["node_modules", "dist", ".git", "data", "tests/.out"]);
const IMPORT_RE =
  /^\s*(import|export)\s+(type\s+)?(?:[^'"]*?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm;

async function* files(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    const rel = relative(ROOT, path);
    if (e.isDirectory) {
      if (!SKIP_DIRS.has(e.name) && !SKIP_DIRS.has(rel) && !rel.startsWith("studio/dist")) yield* files(path);
    } else if (/\.(ts|tsx)$/.test(e.name)) yield path;
  }
}

const problems: string[] = [];
for await (const file of files(ROOT)) {
  const rel = relative(ROOT, file);
  const isTest = /_test\.tsx?$/.test(rel) || rel.startsWith("tests/");
  const text = await Deno.readTextFile(file);
  const layer = rel.split("/")[0];
  if (!isTest && !["main.ts", "runtime", "scripts", "tests"].includes(layer)) {
    for (const api of ["Deno.env", "Deno.serve("]) {
      if (text.includes(api)) problems.push(`${rel}: uses ${api} (only main.ts and runtime/ may)`);
    }
  }
  if (isTest) continue;
  for (const m of text.matchAll(IMPORT_RE)) {
    const typeOnly = !!m[2];
    const spec = m[3] ?? m[4];
    if (!spec?.startsWith(".")) continue;
    const target = relative(ROOT, resolve(dirname(file), spec));
    const tlayer = target.split("/")[0];
    if (layer === "runtime" && ["services", "cli", "studio"].includes(tlayer)) {
      problems.push(`${rel}: runtime/ must not import ${target}`);
    }
    if (layer === "runtime" && target === "server.ts" && !typeOnly) {
      problems.push(`${rel}: runtime/ may import server.ts only as a type`);
    }
    if (layer === "services" && tlayer === "services") {
      const [, own] = rel.split("/");
      const [, other, ...rest] = target.split("/");
      const entry = rest.join("/");
      if (own !== other && entry !== "mod.ts" && !(typeOnly && entry === "types.ts")) {
        problems.push(`${rel}: reach ${other} through services/${other}/mod.ts, not ${target}`);
      }
    }
    if (layer === "services" && ["cli", "studio"].includes(tlayer)) {
      problems.push(`${rel}: services must not import ${target}`);
    }
    if (layer === "cli" || layer === "studio") {
      if (tlayer === "services" && !(typeOnly && target.endsWith("/types.ts"))) {
        problems.push(`${rel}: ${layer}/ may only 'import type' from services/*/types.ts, not ${target}`);
      }
      if (target === "server.ts") problems.push(`${rel}: ${layer}/ must not import the server`);
      if (layer === "cli" && tlayer === "runtime" && !typeOnly && !CLI_RUNTIME_ALLOWED.has(target)) {
        problems.push(
          `${rel}: cli/ talks HTTP; import only ${[...CLI_RUNTIME_ALLOWED].join(", ")} from runtime/`,
        );
      }
    }
  }
}

if (problems.length) {
  console.error(`layer check failed (${problems.length}):\n  ${problems.join("\n  ")}`);
  Deno.exit(1);
}
console.log("layer check: ok");
