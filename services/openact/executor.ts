/** The `openact` bus executor: workflow tasks `act:KIND.NAME` run actions (operation `execute`). */
import { BadRequestError, NotFoundError } from "../../runtime/errors.ts";
import type { Executor } from "../../runtime/bus.ts";
import type { OpenAct } from "./service.ts";

export function openactExecutor(openact: OpenAct): Executor {
  const split = (path: string) => {
    const parts = path.split("/");
    return parts.length === 2 ? { kind: parts[0], name: parts[1] } : undefined;
  };
  return {
    async execute(request) {
      const { trn } = request;
      const operation = request.operation ?? "execute";
      if (operation !== "execute" && operation !== "invoke") {
        throw new BadRequestError(`openact actions support the operation 'execute' (got '${operation}')`);
      }
      const ref = trn.type === "action" ? split(trn.path) : undefined;
      if (!ref) throw new BadRequestError(`'${trn.type}/${trn.path}' is not an action: use act:KIND.NAME`);
      const action = openact.store.findAction(request.tenant, ref.kind, ref.name);
      if (!action) throw new NotFoundError("action", `${ref.kind}.${ref.name}`);
      const result = await openact.executeAction(request.tenant, action, request.input, {
        signal: request.signal,
        deadline: request.deadline,
      });
      return result.output;
    },
    exists(trn) {
      const ref = trn.type === "action" ? split(trn.path) : undefined;
      return !!ref && !!openact.store.findAction(trn.tenant, ref.kind, ref.name);
    },
  };
}
