/** Errors raised by the command framework; `code` names the failure the way commander does. */
export class CommanderError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(exitCode: number, code: string, message: string) {
    super(message);
    this.name = "CommanderError";
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** Thrown by an option or argument parser to reject a value; the framework adds which one. */
export class InvalidArgumentError extends CommanderError {
  constructor(message: string) {
    super(1, "commander.invalidArgument", message);
    this.name = "InvalidArgumentError";
  }
}
