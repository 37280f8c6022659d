/**
 * TRN — tenant resource names: `trn:{service}:{tenant}:{type}/{path}[:qualifier]`.
 * Every API and CLI argument that names a resource accepts a TRN or a short name, which
 * resolves in the caller's tenant.
 */
import { BadRequestError } from "./errors.ts";

export const TRN_TYPES = {
  stepflow: ["template", "execution"],
  aionixfn: ["function"],
  igniter: ["trigger", "bus", "rule"],
  openact: ["connection", "action", "event-source"],
  credvault: ["credential"],
  paramstore: ["param"],
} as const;

export type TrnService = keyof typeof TRN_TYPES;
export const TRN_SERVICES = Object.keys(TRN_TYPES) as TrnService[];

export interface Trn {
  service: TrnService;
  tenant: string;
  type: string;
  /** Path below the type, without a leading slash; segments joined by `/`. */
  path: string;
  qualifier?: string;
}

export const TENANT_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const SEGMENT_RE = /^[A-Za-z0-9_.@-]+$/;
const QUALIFIER_RE = /^[A-Za-z0-9_$.-]{1,64}$/;
const MAX_LENGTH = 2048;

export class TrnError extends BadRequestError {
  override readonly type: string = "invalid-trn";
  override readonly title: string = "Invalid TRN";
  constructor(readonly input: string, reason: string) {
    super(`invalid TRN '${input.length > 200 ? input.slice(0, 200) + "…" : input}': ${reason}`);
  }
}

function checkPath(input: string, path: string) {
  if (path === "") throw new TrnError(input, "the resource path is empty");
  for (const segment of path.split("/")) {
    if (!SEGMENT_RE.test(segment)) {
      throw new TrnError(
        input,
        segment === ""
          ? "the path has an empty segment"
          : `path segment '${segment}' has characters outside [A-Za-z0-9_.@-]`,
      );
    }
    if (segment === "." || segment === "..") {
      throw new TrnError(input, "'.' and '..' segments are not allowed");
    }
  }
}

/** Parses and validates a TRN; throws TrnError (400) naming what is wrong. */
export function parseTrn(input: string): Trn {
  if (typeof input !== "string") throw new TrnError(String(input), "not a string");
  if (input.length > MAX_LENGTH) throw new TrnError(input, `longer than ${MAX_LENGTH} characters`);
  if (!input.startsWith("trn:")) throw new TrnError(input, "must start with 'trn:'");
  const parts = input.split(":");
  if (parts.length < 4) throw new TrnError(input, "expected trn:{service}:{tenant}:{type}/{path}");
  const [, service, tenant, resource, ...rest] = parts;
  if (rest.length > 1) throw new TrnError(input, "too many ':' separators");
  if (!(service in TRN_TYPES)) {
    throw new TrnError(input, `unknown service '${service}' (one of ${TRN_SERVICES.join(", ")})`);
  }
  if (!TENANT_RE.test(tenant)) throw new TrnError(input, `tenant '${tenant}' must match ${TENANT_RE.source}`);
  const slash = resource.indexOf("/");
  if (slash < 0) throw new TrnError(input, "expected {type}/{path} after the tenant");
  const type = resource.slice(0, slash);
  const types = TRN_TYPES[service as TrnService] as readonly string[];
  if (!types.includes(type)) {
    throw new TrnError(input, `unknown type '${type}' for ${service} (one of ${types.join(", ")})`);
  }
  const path = resource.slice(slash + 1);
  checkPath(input, path);
  const qualifier = rest[0];
  if (qualifier !== undefined && !QUALIFIER_RE.test(qualifier)) {
    throw new TrnError(input, `qualifier '${qualifier}' must match ${QUALIFIER_RE.source}`);
  }
  return {
    service: service as TrnService,
    tenant,
    type,
    path,
    ...(qualifier !== undefined ? { qualifier } : {}),
  };
}

export function formatTrn(trn: Trn): string {
  return `trn:${trn.service}:${trn.tenant}:${trn.type}/${trn.path}${
    trn.qualifier !== undefined ? ":" + trn.qualifier : ""
  }`;
}

/** Validates the parts and formats them; throws TrnError for bad parts. */
export function buildTrn(parts: Trn): string {
  return formatTrn(parseTrn(formatTrn(parts)));
}

export function isTrn(value: string): boolean {
  return value.startsWith("trn:");
}

export interface ResolveOptions {
  service: TrnService;
  type: string;
  /** The caller's tenant: short names resolve here and full TRNs must match it. */
  tenant: string;
  /** Whether `name:qualifier` short forms are split into a qualifier (default true). */
  qualifiers?: boolean;
}

/**
 * Resolves a short name (`charge`, `charge:live`, `/app/db/host`) or a full TRN to a TRN of the
 * expected service and type. A TRN of another tenant resolves with `foreignTenant: true` so the
 * caller can answer 404 without revealing whether it exists.
 */
export function resolveName(input: string, options: ResolveOptions): Trn & { foreignTenant: boolean } {
  if (isTrn(input)) {
    const trn = parseTrn(input);
    if (trn.service !== options.service || trn.type !== options.type) {
      throw new TrnError(input, `expected a trn:${options.service}:…:${options.type}/… name`);
    }
    return { ...trn, foreignTenant: trn.tenant !== options.tenant };
  }
  let name = input.startsWith("/") ? input.slice(1) : input;
  let qualifier: string | undefined;
  if (options.qualifiers !== false) {
    const colon = name.lastIndexOf(":");
    if (colon >= 0) {
      qualifier = name.slice(colon + 1);
      name = name.slice(0, colon);
    }
  }
  const trn = parseTrn(
    formatTrn({
      service: options.service,
      tenant: options.tenant,
      type: options.type,
      path: name,
      qualifier,
    }),
  );
  return { ...trn, foreignTenant: false };
}
