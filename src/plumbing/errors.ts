/** An error the user can act on: printed as one message, never as a stack trace. */
export class PybinError extends Error {
  constructor(
    message: string,
    /** Which input or option is at fault, for annotations and exit codes. */
    readonly input?: string,
  ) {
    super(message);
    this.name = 'PybinError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
