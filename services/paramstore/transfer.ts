/**
 * Import and export of a parameter subtree as .env, JSON or YAML.
 * - json/yaml: a nested object of evaluated values (`{config: {timeout: 30}}` for /app/config/timeout
 *   under /app); a secret_ref is exported as `{"$secretRef": "trn:…"}` and never decrypted; a json
 *   parameter as `{"$json": value}`, so an object value is not mistaken for a folder on import.
 * - env: `CONFIG_TIMEOUT=30` (segments upper-cased and joined by `_`); secret_refs become comments.
 * Import reverses this: nested keys become path segments and types are inferred from the values
 * (number, boolean, list of strings → string_list, other objects/arrays → json, `$json`, `$secretRef`);
 * .env keys become one segment each, as strings. All or nothing.
 */
import { ConflictError, ValidationError } from "../../runtime/errors.ts";
import type { Actor, ParamService } from "./params.ts";
import { checkPath } from "./paths.ts";
import type { ExportFormat, ParamType } from "./types.ts";

const MAX_EXPORT = 10_000;

function relative(root: string, path: string): string[] {
  return (root === "/" ? path.slice(1) : path.slice(root.length + 1)).split("/");
}

function envKey(segments: string[]): string {
  return segments.join("_").toUpperCase().replace(/[^A-Z0-9_]/g, "_");
}

function envValue(text: string): string {
  if (/^[A-Za-z0-9_./:@+,-]*$/.test(text)) return text;
  return `"${
    text.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n").replaceAll("$", "\\$")
  }"`;
}

export async function exportTree(
  service: ParamService,
  tenant: string,
  root: string,
  options: { format: ExportFormat; raw?: boolean },
): Promise<string> {
  checkPath(root, { prefix: true, where: "/path" });
  const items: { path: string; type: ParamType; value: unknown }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await service.list(tenant, root, {
      recursive: true,
      limit: 1000,
      nextToken,
      raw: options.raw,
    });
    for (const p of page.items) {
      if (p.error) throw new ConflictError(`cannot export ${p.path}: ${p.error}`);
      items.push({ path: p.path, type: p.type, value: p.value });
    }
    nextToken = page.nextToken;
    if (items.length > MAX_EXPORT) {
      throw new ConflictError(`more than ${MAX_EXPORT} parameters under ${root}: export a deeper path`);
    }
  } while (nextToken);

  if (options.format === "env") {
    const lines: string[] = [];
    for (const item of items) {
      const key = envKey(relative(root, item.path));
      if (item.type === "secret_ref") {
        lines.push(`# ${key}: secret_ref ${item.value} (not exported)`);
        continue;
      }
      const text = item.type === "string_list"
        ? (item.value as string[]).join(",")
        : typeof item.value === "string"
        ? item.value
        : JSON.stringify(item.value);
      lines.push(`${key}=${envValue(text)}`);
    }
    return lines.join("\n") + (lines.length ? "\n" : "");
  }
  const tree: Record<string, unknown> = {};
  for (const item of items) {
    const segments = relative(root, item.path);
    let node = tree;
    for (const [i, s] of segments.entries()) {
      const last = i === segments.length - 1;
      if (last) {
        if (s in node) {
          throw new ConflictError(
            `${item.path} is both a parameter and a parent of parameters: export it as env`,
          );
        }
        node[s] = item.type === "secret_ref"
          ? { $secretRef: item.value }
          : item.type === "json"
          ? { $json: item.value }
          : item.value;
      } else {
        const next = node[s];
        if (
          next !== undefined &&
          (typeof next !== "object" || next === null || Array.isArray(next) || isMarker(next))
        ) {
          throw new ConflictError(
            `${item.path} sits below the parameter ${segments.slice(0, i + 1).join("/")}: export it as env`,
          );
        }
        node = (node[s] ??= {}) as Record<string, unknown>;
      }
    }
  }
  if (options.format === "json") return JSON.stringify(tree, null, 2) + "\n";
  const { stringify } = await import("yaml");
  return stringify(tree);
}

function parseEnv(content: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, raw] of content.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new ValidationError([{ path: "/content", message: `line ${i + 1} is not KEY=VALUE` }]);
    let value = m[2];
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1).replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
    } else if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) value = value.slice(1, -1);
    out[m[1]] = value;
  }
  return out;
}

/** `{"$secretRef": …}` or `{"$json": …}`: a typed leaf, not a folder. */
function isMarker(value: unknown): value is { $secretRef?: unknown; $json?: unknown } {
  return !!value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 &&
    ("$secretRef" in value || "$json" in value);
}

function infer(value: unknown): { type: ParamType; value: unknown } {
  if (isMarker(value)) {
    return "$json" in value
      ? { type: "json", value: value.$json }
      : { type: "secret_ref", value: value.$secretRef };
  }
  if (typeof value === "number") return { type: "number", value };
  if (typeof value === "boolean") return { type: "boolean", value };
  if (typeof value === "string") return { type: "string", value };
  if (Array.isArray(value) && value.every((v) => typeof v === "string" && !v.includes(","))) {
    return { type: "string_list", value };
  }
  return { type: "json", value };
}

function flatten(tree: unknown, prefix: string, out: Map<string, { type: ParamType; value: unknown }>) {
  if (!tree || typeof tree !== "object" || Array.isArray(tree)) {
    throw new ValidationError([{
      path: "/content",
      message: "the document must be an object of parameter names",
    }]);
  }
  for (const [key, value] of Object.entries(tree)) {
    const path = key.startsWith("/")
      ? (prefix === "/" ? key : prefix + key)
      : `${prefix === "/" ? "" : prefix}/${key}`;
    const isBranch = value && typeof value === "object" && !Array.isArray(value) && !isMarker(value);
    if (isBranch) flatten(value, path, out);
    else out.set(path, infer(value));
  }
}

export async function importTree(
  service: ParamService,
  tenant: string,
  root: string,
  input: { format: ExportFormat; content: string; overwrite?: boolean },
  who: Actor,
): Promise<{ imported: number; paths: string[] }> {
  checkPath(root, { prefix: true, where: "/path" });
  const entries = new Map<string, { type: ParamType; value: unknown }>();
  if (input.format === "env") {
    for (const [key, value] of Object.entries(parseEnv(input.content))) {
      entries.set(`${root === "/" ? "" : root}/${key}`, { type: "string", value });
    }
  } else {
    let doc: unknown;
    try {
      doc = input.format === "json" ? JSON.parse(input.content) : (await import("yaml")).parse(input.content);
    } catch (err) {
      throw new ValidationError([{
        path: "/content",
        message: `not valid ${input.format}: ${(err as Error).message}`,
      }]);
    }
    flatten(doc, root, entries);
  }
  // Validate everything first, then write in one transaction: all or nothing.
  const prepared = [...entries].map(([path, e], i) => ({
    path,
    v: service.prepare(tenant, path, { ...e, overwrite: input.overwrite }, `/content/${i}`),
  }));
  const now = service.iso();
  service.repo.transaction(() => {
    for (const p of prepared) service.repo.put(tenant, p.path, { ...p.v, by: who.actor, now });
  });
  service.audit.record({
    tenant,
    action: "param.import",
    resource: `trn:paramstore:${tenant}:param${root === "/" ? "" : root}/*`,
    outcome: "success",
    ...who,
    detail: { count: prepared.length, format: input.format },
  });
  return { imported: prepared.length, paths: prepared.map((p) => p.path) };
}
