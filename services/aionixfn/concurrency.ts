/** Concurrency limits: a global cap on running invocations plus per-function reserved caps. */
import { TooManyRequestsError } from "../../runtime/errors.ts";

export class ConcurrencyLimiter {
  #total = 0;
  #perFunction = new Map<string, number>();
  constructor(private globalLimit: number) {}

  get running(): number {
    return this.#total;
  }

  /** Takes a slot or throws TooManyRequestsError (429 with Retry-After); returns the release function. */
  acquire(functionKey: string, reserved: number | null): () => void {
    const current = this.#perFunction.get(functionKey) ?? 0;
    if (reserved !== null && current >= reserved) {
      throw new TooManyRequestsError(
        reserved === 0
          ? `function '${
            functionKey.split("/")[1]
          }' has reserved concurrency 0: it is throttled until that is raised`
          : `function '${
            functionKey.split("/")[1]
          }' is at its reserved concurrency of ${reserved}: retry later`,
        1,
      );
    }
    if (this.#total >= this.globalLimit) {
      throw new TooManyRequestsError(
        `the server is running its limit of ${this.globalLimit} invocations (functions.global_concurrency): retry later`,
        1,
      );
    }
    this.#total++;
    this.#perFunction.set(functionKey, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      const n = (this.#perFunction.get(functionKey) ?? 1) - 1;
      if (n <= 0) this.#perFunction.delete(functionKey);
      else this.#perFunction.set(functionKey, n);
    };
  }
}
