/**
 * Parameter paths: `/app/db/host` — case-sensitive segments of [A-Za-z0-9_.@-], at most 15
 * deep and 1011 characters. A selector adds `:N` (version) or `:label`.
 */
import { NotFoundError, ValidationError } from "../../runtime/errors.ts";
import { formatTrn, isTrn, parseTrn } from "../../runtime/trn.ts";

export const MAX_DEPTH = 15;
export const MAX_PATH_LENGTH = 1011;
const SEGMENT_RE = /^[A-Za-z0-9_.@-]+$/;
export const LABEL_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/;

const bad = (where: string, message: string) => new ValidationError([{ path: where, message }]);

/** Validates a parameter path (or, with `prefix`, a subtree root which may be `/`). */
export function checkPath(path: string, options: { where?: string; prefix?: boolean } = {}): string {
  const where = options.where ?? "/path";
  if (typeof path !== "string" || !path.startsWith("/")) {
    throw bad(where, "a parameter path starts with '/', e.g. /app/db/host");
  }
  if (options.prefix && path === "/") return path;
  if (path.length > MAX_PATH_LENGTH) throw bad(where, `a path is at most ${MAX_PATH_LENGTH} characters`);
  const segments = path.slice(1).split("/");
  if (segments.length > MAX_DEPTH) {
    throw bad(where, `a path is at most ${MAX_DEPTH} levels deep (this one has ${segments.length})`);
  }
  for (const s of segments) {
    if (s === "") throw bad(where, "a path has no empty segments ('//') and no trailing '/'");
    if (s === "." || s === "..") throw bad(where, "'.' and '..' are not allowed as path segments");
    if (!SEGMENT_RE.test(s)) throw bad(where, `segment '${s}' may only use letters, digits and _ . @ -`);
  }
  return path;
}

export function checkLabel(label: string, where = "/labels"): string {
  if (!LABEL_RE.test(label)) {
    throw bad(
      where,
      `label '${label}' must start with a letter or '_' and use letters, digits, _ . - (max 100)`,
    );
  }
  return label;
}

export interface Selector {
  path: string;
  version?: number;
  label?: string;
}

/**
 * Parses `/a/b`, `/a/b:3`, `/a/b:prod` or `trn:paramstore:{tenant}:param/a/b[:q]`. A TRN of
 * another tenant is a 404.
 */
export function parseSelector(input: string, tenant: string, options: { prefix?: boolean } = {}): Selector {
  let path = input;
  let qualifier: string | undefined;
  if (isTrn(input)) {
    const trn = parseTrn(input);
    if (trn.service !== "paramstore" || trn.type !== "param") {
      throw bad("/path", "expected a trn:paramstore:…:param/… name");
    }
    if (trn.tenant !== tenant) throw new NotFoundError("parameter", input);
    path = "/" + trn.path;
    qualifier = trn.qualifier;
  } else {
    const colon = input.lastIndexOf(":");
    if (colon > 0) {
      qualifier = input.slice(colon + 1);
      path = input.slice(0, colon);
    }
  }
  checkPath(path, { prefix: options.prefix });
  if (qualifier === undefined) return { path };
  if (/^\d+$/.test(qualifier)) {
    const version = Number(qualifier);
    if (!Number.isSafeInteger(version) || version < 1) {
      throw bad("/path", "a version selector is a positive integer");
    }
    return { path, version };
  }
  return { path, label: checkLabel(qualifier, "/path") };
}

export function paramTrn(tenant: string, path: string): string {
  return formatTrn({ service: "paramstore", tenant, type: "param", path: path.slice(1) });
}

export const depthOf = (path: string) => (path === "/" ? 0 : path.split("/").length - 1);
