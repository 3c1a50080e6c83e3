// Every error a package can raise is declared once in that package's `errors.ts`, with a stable
// code, an HTTP status and a message template (the Fastify `FST_ERR_*` pattern). Callers and
// tests rely on the code, never on the message text.

export class PlexusError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, statusCode: number, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'PlexusError';
    this.code = code;
    this.statusCode = statusCode;
    this.details = details;
  }
}

export interface ErrorDefinition<Args extends unknown[]> {
  readonly code: string;
  readonly statusCode: number;
  (...args: Args): PlexusError;
  is(error: unknown): error is PlexusError;
}

/**
 * Declares a catalog entry. `template` uses `%s` slots filled from the arguments in
 * order; an argument that is a plain object after the slots becomes `details`.
 */
export function defineError<Args extends unknown[] = []>(
  code: string,
  statusCode: number,
  template: string
): ErrorDefinition<Args> {
  const slots = template.split('%s').length - 1;
  const create = (...args: Args): PlexusError => {
    let index = 0;
    const message = template.replace(/%s/g, () => String(args[index++]));
    const extra = args[slots];
    const details = extra !== null && typeof extra === 'object' ? (extra as Record<string, unknown>) : undefined;
    return new PlexusError(code, statusCode, message, details);
  };
  return Object.assign(create, {
    code,
    statusCode,
    is: (error: unknown): error is PlexusError => isPlexusError(error) && error.code === code
  });
}

export function isPlexusError(error: unknown): error is PlexusError {
  return error instanceof PlexusError;
}
