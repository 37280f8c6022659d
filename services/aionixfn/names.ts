/** Function names in paths: a short name (`charge`, `charge:live`) or a full TRN, in the caller's tenant. */
import { NotFoundError, ValidationError } from "../../runtime/errors.ts";
import { resolveName } from "../../runtime/trn.ts";
import { FN_NAME_RE } from "./schemas.ts";

export function parseFunctionRef(
  tenant: string,
  raw: string,
  allowQualifier = false,
): { name: string; qualifier?: string } {
  const trn = resolveName(raw, { service: "aionixfn", type: "function", tenant, qualifiers: allowQualifier });
  if (trn.foreignTenant) throw new NotFoundError("function", raw);
  if (!FN_NAME_RE.test(trn.path)) {
    throw new ValidationError([{ path: "/params/name", message: `'${trn.path}' is not a function name` }]);
  }
  if (!allowQualifier && trn.qualifier !== undefined) {
    throw new ValidationError([{
      path: "/params/name",
      message: "a qualifier is not accepted here; name the function only",
    }]);
  }
  return { name: trn.path, qualifier: trn.qualifier };
}
