/**
 * Validation of `POST /api/v1/events` bodies. A batch of 100 events through zod costs more
 * than matching and storing them, so each entry first goes through a precompiled check of
 * the same rules as PutEventsSchema; only a body that fails it is run through zod, which
 * then produces the usual 400 problem naming the field and the fix.
 */
import { z } from "zod";
import { ValidationError } from "../../runtime/errors.ts";
import { zodIssues } from "../../runtime/http/problem.ts";
import type { EventEntry } from "./event_bus.ts";
import { NAME_RE, PutEventsSchema } from "./schemas.ts";

const ID_RE = /^[A-Za-z0-9_.:-]{1,128}$/;
const TimeSchema = z.iso.datetime({ offset: true });
const OPTIONAL_STRINGS = ["version", "account", "region"] as const;
const KNOWN = new Set([
  "source",
  "detail-type",
  "detailType",
  "detail",
  "time",
  "id",
  "resources",
  "eventBus",
  "version",
  "account",
  "region",
]);

const text = (v: unknown, max: number) => typeof v === "string" && v.length >= 1 && v.length <= max;

/** True when the entry certainly passes EventEntrySchema (false: let zod explain why not). */
function entryOk(e: unknown): e is EventEntry {
  if (typeof e !== "object" || e === null || Array.isArray(e)) return false;
  const o = e as Record<string, unknown>;
  for (const k in o) if (!KNOWN.has(k)) return false;
  if (!text(o.source, 256)) return false;
  if (o["detail-type"] !== undefined && !text(o["detail-type"], 256)) return false;
  if (o.detailType !== undefined && !text(o.detailType, 256)) return false;
  if (o.id !== undefined && (typeof o.id !== "string" || !ID_RE.test(o.id))) return false;
  if (o.eventBus !== undefined && (typeof o.eventBus !== "string" || !NAME_RE.test(o.eventBus))) return false;
  if (o.time !== undefined && (typeof o.time !== "string" || !TimeSchema.safeParse(o.time).success)) {
    return false;
  }
  if (o.resources !== undefined) {
    const r = o.resources;
    if (!Array.isArray(r) || r.length > 100) return false;
    for (const s of r) if (typeof s !== "string" || s.length > 2048) return false;
  }
  for (const k of OPTIONAL_STRINGS) if (o[k] !== undefined && typeof o[k] !== "string") return false;
  return true;
}

/** The entries of a valid body; otherwise throws the ValidationError zod describes. */
export function parsePutEvents(body: unknown): EventEntry[] {
  let entries: unknown = undefined;
  if (Array.isArray(body)) entries = body;
  else if (typeof body === "object" && body !== null && Object.keys(body).length === 1) {
    entries = (body as { entries?: unknown }).entries;
  }
  if (Array.isArray(entries) && entries.length >= 1 && entries.length <= 1000 && entries.every(entryOk)) {
    return entries;
  }
  const result = PutEventsSchema.safeParse(body);
  if (!result.success) throw new ValidationError(zodIssues(result.error, ""));
  // Unreachable in practice: the fast check accepts everything the schema accepts.
  return (result.data as { entries: EventEntry[] }).entries;
}
