/** The error a function itself raised (as opposed to a platform error). */
import { AppError } from "../../runtime/errors.ts";

/**
 * Raised by the `aionixfn` bus executor when the function failed: StepFlow maps `errorType` to
 * the task's error name. Over HTTP, function errors are part of the invoke result instead.
 */
export class FunctionError extends AppError {
  override readonly status: number = 502;
  override readonly type: string = "function-error";
  override readonly title: string = "Function error";
  /** Same as errorType, so generic error handlers see the function's error name. */
  readonly error: string;
  override readonly cause: string;
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
    readonly stackLines: string[] = [],
    readonly requestId?: string,
  ) {
    super(`${errorType}: ${errorMessage}`);
    this.name = errorType;
    this.error = errorType;
    this.cause = errorMessage;
    if (stackLines.length) this.stack = `${errorType}: ${errorMessage}\n${stackLines.join("\n")}`;
  }
  override extra() {
    return {
      errorType: this.errorType,
      errorMessage: this.errorMessage,
      stack: this.stackLines,
      requestId: this.requestId,
    };
  }
}
