/** CLI failures carry their exit code; main.ts prints the message and exits with it. */
export const EXIT = {
  ok: 0,
  /** Server-side failure (5xx) or an unexpected error. */
  failure: 1,
  /** Bad command-line usage: unknown option, missing argument, unreadable --data. */
  usage: 2,
  /** The server rejected the input (400, 413, 415, 422). */
  invalid: 3,
  /** Missing, invalid or insufficient token (401, 403). */
  auth: 4,
  /** The named resource does not exist (404). */
  notFound: 5,
  /** Conflict with the current state (409) or throttled (429). */
  conflict: 6,
  /** The server could not be reached. */
  unreachable: 7,
} as const;

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.failure) {
    super(message);
  }
}

export function exitCodeForStatus(status: number): number {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 409 || status === 429) return EXIT.conflict;
  if (status >= 400 && status < 500) return EXIT.invalid;
  return EXIT.failure;
}
