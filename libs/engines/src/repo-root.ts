import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/** The workspace root: the nearest ancestor of this file that holds `nx.json`. */
export function repoRoot(): string {
  if (cached !== undefined) return cached;
  let directory = import.meta.dirname;
  while (!existsSync(join(directory, 'nx.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`no nx.json above ${import.meta.dirname}`);
    directory = parent;
  }
  cached = directory;
  return directory;
}
