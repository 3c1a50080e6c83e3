import { isPlexusError } from './plexus-error.ts';

/**
 * How a command-line program reports the error it stops on. Catalog errors are for people: their
 * message and stable code, not a stack trace; anything else is a bug and keeps its stack.
 */
export function printFailure(program: string, error: unknown, write: (line: unknown) => void = console.error): void {
  if (isPlexusError(error)) write(`${program}: ${error.message} [${error.code}]`);
  else write(error);
}
