/** Alias traffic routing: picks a version by weight. */
import { ValidationError } from "../../runtime/errors.ts";

/**
 * Picks the version for one invocation. `weights` maps versions to shares summing to 1;
 * `random` is in [0, 1). Without weights, all traffic goes to `primary`.
 */
export function pickVersion(
  primary: string,
  weights: Record<string, number> | null,
  random: number = Math.random(),
): string {
  if (!weights) return primary;
  let acc = 0;
  const entries = Object.entries(weights);
  for (const [version, share] of entries) {
    acc += share;
    if (random < acc) return version;
  }
  return entries.length ? entries[entries.length - 1][0] : primary;
}

/** Validates a traffic configuration: 1–2 versions, shares in [0,1] summing to 1. */
export function checkWeights(
  weights: Record<string, number>,
): { primary: string; weights: Record<string, number> | null } {
  const entries = Object.entries(weights);
  if (entries.length === 0 || entries.length > 2) {
    throw new ValidationError([{
      path: "",
      message: 'give weights for one or two versions, e.g. {"3": 0.9, "4": 0.1}',
    }]);
  }
  const sum = entries.reduce((n, [, w]) => n + w, 0);
  if (Math.abs(sum - 1) > 1e-6) {
    throw new ValidationError([{ path: "", message: `weights must sum to 1 (they sum to ${sum})` }]);
  }
  const sorted = entries.sort((a, b) => b[1] - a[1]);
  const primary = sorted[0][0];
  if (sorted.length === 1 || sorted[1][1] === 0) return { primary, weights: null };
  return { primary, weights: Object.fromEntries(sorted) };
}
