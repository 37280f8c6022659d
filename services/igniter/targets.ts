/** Trigger targets: workflows (`wf:NAME`, stepflow template TRN) and functions (`fn:NAME[:alias]`). */
import { ValidationError } from "../../runtime/errors.ts";
import { formatTrn, isTrn, parseTrn, type Trn } from "../../runtime/trn.ts";

export interface Target {
  /** What is passed to the executor bus. */
  action: string;
  service: "stepflow" | "aionixfn";
  operation: "start" | "invoke";
  trn: string;
}

const FORMS =
  "use wf:NAME, fn:NAME[:alias], trn:stepflow:{tenant}:template/NAME or trn:aionixfn:{tenant}:function/NAME";

function bad(path: string, message: string): never {
  throw new ValidationError([{ path, message, code: "invalid_target" }]);
}

export function parseTarget(target: string, tenant: string, path = "/target"): Target {
  let trn: Trn;
  try {
    if (isTrn(target)) trn = parseTrn(target);
    else if (target.startsWith("wf:")) {
      trn = parseTrn(formatTrn({ service: "stepflow", tenant, type: "template", path: target.slice(3) }));
    } else if (target.startsWith("fn:")) {
      const rest = target.slice(3);
      const colon = rest.indexOf(":");
      trn = parseTrn(formatTrn({
        service: "aionixfn",
        tenant,
        type: "function",
        path: colon >= 0 ? rest.slice(0, colon) : rest,
        qualifier: colon >= 0 ? rest.slice(colon + 1) : undefined,
      }));
    } else bad(path, `'${target}' is not a target: ${FORMS}`);
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    bad(path, `${(err as Error).message}; ${FORMS}`);
  }
  if (trn.tenant !== tenant) {
    bad(path, `the target must be in this tenant ('${tenant}'), not '${trn.tenant}'`);
  }
  if (trn.service === "stepflow" && trn.type === "template") {
    return { action: formatTrn(trn), service: "stepflow", operation: "start", trn: formatTrn(trn) };
  }
  if (trn.service === "aionixfn" && trn.type === "function") {
    return { action: formatTrn(trn), service: "aionixfn", operation: "invoke", trn: formatTrn(trn) };
  }
  return bad(path, `a trigger can start a workflow or a function only; ${FORMS}`);
}

/** Pulls the id of what was started out of an executor's async answer. */
export function executionIdOf(result: unknown): string | null {
  if (result && typeof result === "object") {
    const r = result as Record<string, unknown>;
    for (const key of ["executionId", "requestId", "id"]) {
      if (typeof r[key] === "string") return r[key] as string;
    }
  }
  return null;
}
