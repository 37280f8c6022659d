/** Rotation schedules: a fixed interval (`30d`, `12h`, `90m`) or a cron expression (UTC). */
import { Cron } from "croner";
import { ValidationError } from "../../runtime/errors.ts";
import type { RotationConfig, SecretType } from "./types.ts";

const EVERY_RE = /^(\d{1,5})(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function everyMs(every: string): number {
  const m = EVERY_RE.exec(every);
  if (!m || Number(m[1]) === 0) {
    throw new ValidationError([{
      path: "/rotation/every",
      message: "use a positive interval like '30d', '12h' or '90m'",
    }]);
  }
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

function cronFor(expr: string): Cron {
  try {
    return new Cron(expr, { timezone: "UTC", paused: true });
  } catch (err) {
    throw new ValidationError([{
      path: "/rotation/cron",
      message: `invalid cron expression: ${(err as Error).message}; e.g. '0 3 * * 0' (Sundays 03:00 UTC)`,
    }]);
  }
}

/** Validates a rotation config for a secret type. */
export function checkRotation(type: SecretType, rotation: RotationConfig): void {
  if (rotation.every !== undefined && rotation.cron !== undefined) {
    throw new ValidationError([{ path: "/rotation", message: "give either 'every' or 'cron', not both" }]);
  }
  if (rotation.every !== undefined) everyMs(rotation.every);
  if (rotation.cron !== undefined) cronFor(rotation.cron).stop();
  if (!rotation.function && type !== "password" && type !== "api_key") {
    throw new ValidationError([{
      path: "/rotation/function",
      message:
        `a ${type} secret needs a rotation function (only password and api_key values can be generated)`,
    }]);
  }
}

/** The next scheduled rotation after `from` (epoch ms), or undefined for on-demand rotation only. */
export function nextRotation(rotation: RotationConfig | undefined, from: number): string | undefined {
  if (!rotation) return undefined;
  if (rotation.every) return new Date(from + everyMs(rotation.every)).toISOString();
  if (rotation.cron) {
    const cron = cronFor(rotation.cron);
    const next = cron.nextRun(new Date(from));
    cron.stop();
    return next ? next.toISOString() : undefined;
  }
  return undefined;
}
