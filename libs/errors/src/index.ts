export { PlexusError, defineError, isPlexusError } from './plexus-error.ts';
export { printFailure } from './print-failure.ts';
export type { ErrorDefinition } from './plexus-error.ts';
