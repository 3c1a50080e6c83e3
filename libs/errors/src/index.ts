export { PlexusError, defineError, isPlexusError } from './plexus-error.ts';
export type { ErrorDefinition } from './plexus-error.ts';
