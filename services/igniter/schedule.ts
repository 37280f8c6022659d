/**
 * Schedule expressions: 5- and 6-field cron (croner), `rate(5 minutes)`, one-time
 * `at(2026-12-01T09:00:00)`, in an IANA time zone, bounded by start/end. A compiled schedule
 * answers "the first fire strictly after t", which is all the engine needs.
 */
import { Cron } from "croner";
import { type FieldIssue, ValidationError } from "../../runtime/errors.ts";
import type { ScheduleConfig } from "./types.ts";

export interface CompiledSchedule {
  kind: "cron" | "rate" | "at";
  /** The first fire time (epoch ms) strictly after `after`, or null when there is none. */
  next(after: number): number | null;
}

const RATE_RE = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/i;
const AT_RE = /^at\(\s*([^)]+?)\s*\)$/i;
const CRON_RE = /^cron\(\s*(.+?)\s*\)$/i;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const HAS_OFFSET = /(?:Z|[+-]\d{2}:?\d{2})$/i;
const ISO_LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?$/;

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Reads an ISO date-time; without an offset it is wall time in `tz`. Undefined when invalid. */
export function parseWallTime(text: string, tz: string): number | undefined {
  if (HAS_OFFSET.test(text)) {
    const ms = Date.parse(text);
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (!ISO_LOCAL.test(text)) return undefined;
  try {
    const once = new Cron(text, { timezone: tz, paused: true });
    return once.nextRun(new Date(0))?.getTime() ?? undefined;
  } catch {
    return undefined;
  }
}

type Expression = { kind: "cron"; cron: string } | { kind: "rate"; everyMs: number } | {
  kind: "at";
  at: string;
};

/** Splits the config's expression (cron/rate/at/expression) into one kind; issues name the field. */
function expressionOf(config: ScheduleConfig, issues: FieldIssue[]): Expression | undefined {
  const given = (["cron", "rate", "at", "expression"] as const).filter((k) => config[k] !== undefined);
  if (given.length !== 1) {
    issues.push({
      path: "/config",
      message: given.length
        ? `give only one of cron, rate, at, expression (got ${given.join(", ")})`
        : 'a schedule needs one of cron ("0 0 * * *"), rate ("rate(5 minutes)"), at ("at(2026-12-01T09:00:00)") or expression',
    });
    return undefined;
  }
  const key = given[0];
  const text = String(config[key]).trim();
  const path = `/config/${key}`;
  if (key === "cron" || (key === "expression" && !RATE_RE.test(text) && !AT_RE.test(text))) {
    const cron = CRON_RE.exec(text)?.[1] ?? text;
    return { kind: "cron", cron };
  }
  if (key === "rate" || (key === "expression" && RATE_RE.test(text))) {
    const m = RATE_RE.exec(text.startsWith("rate(") ? text : `rate(${text})`);
    if (!m || Number(m[1]) < 1) {
      issues.push({
        path,
        message: "a rate is 'rate(N minutes|hours|days)' with N ≥ 1, e.g. 'rate(5 minutes)'",
      });
      return undefined;
    }
    const unit = m[2].toLowerCase().replace(/s$/, "");
    return { kind: "rate", everyMs: Number(m[1]) * UNIT_MS[unit] };
  }
  const at = AT_RE.exec(text)?.[1] ?? text;
  return { kind: "at", at };
}

/**
 * Compiles a schedule config. `anchor` is when a rate schedule starts counting (the time the
 * trigger was created or enabled) when no startAt is given.
 */
export function compileSchedule(config: ScheduleConfig, anchor: number): CompiledSchedule {
  const issues: FieldIssue[] = [];
  const tz = config.timezone ?? "UTC";
  if (!isValidTimeZone(tz)) {
    issues.push({
      path: "/config/timezone",
      message: `'${tz}' is not an IANA time zone, e.g. Europe/Berlin or UTC`,
    });
  }
  const bound = (key: "startAt" | "endAt") => {
    const v = config[key];
    if (v === undefined) return undefined;
    const ms = parseWallTime(v, tz);
    if (ms === undefined) {
      issues.push({
        path: `/config/${key}`,
        message: `'${v}' is not an ISO 8601 date-time, e.g. 2026-12-01T09:00:00`,
      });
    }
    return ms;
  };
  const start = bound("startAt");
  const end = bound("endAt");
  if (start !== undefined && end !== undefined && end <= start) {
    issues.push({ path: "/config/endAt", message: "endAt must be after startAt" });
  }
  const expr = expressionOf(config, issues);
  let base: (after: number) => number | null = () => null;
  if (expr?.kind === "cron") {
    try {
      const cron = new Cron(expr.cron, {
        paused: true,
        timezone: tz === "UTC" ? undefined : tz,
        utcOffset: tz === "UTC" ? 0 : undefined,
        mode: "5-or-6-parts",
      });
      base = (after) => cron.nextRun(new Date(after))?.getTime() ?? null;
    } catch (err) {
      issues.push({
        path: config.cron !== undefined ? "/config/cron" : "/config/expression",
        message:
          `invalid cron '${expr.cron}': ${
            (err as Error).message.replace(/^CronPattern: /, "")
          }; use 5 fields ` +
          "(minute hour day month weekday) or 6 (with seconds first)",
      });
    }
  } else if (expr?.kind === "rate") {
    const first = start ?? anchor + expr.everyMs;
    const every = expr.everyMs;
    base = (after) => after < first ? first : first + (Math.floor((after - first) / every) + 1) * every;
  } else if (expr?.kind === "at") {
    const when = parseWallTime(expr.at, tz);
    if (when === undefined) {
      issues.push({
        path: config.at !== undefined ? "/config/at" : "/config/expression",
        message: `'${expr.at}' is not an ISO 8601 date-time: write at(2026-12-01T09:00:00)`,
      });
    } else base = (after) => (when > after ? when : null);
  }
  if (issues.length) throw new ValidationError(issues);
  return {
    kind: expr!.kind,
    next(after: number) {
      let from = after;
      if (start !== undefined && from < start) from = start - 1;
      const t = base(from);
      if (t === null || (end !== undefined && t >= end)) return null;
      return t;
    },
  };
}

/** The next `count` fire times after `after` (for previews). */
export function previewSchedule(schedule: CompiledSchedule, after: number, count: number): number[] {
  const out: number[] = [];
  let t = after;
  while (out.length < count) {
    const n = schedule.next(t);
    if (n === null) break;
    out.push(n);
    t = n;
  }
  return out;
}
