/** A scenario file's base name without extension: the scenario's name when the file gives none. */
export function nameFromSource(source: string): string {
  return (source.split(/[\\/]/).at(-1) ?? source).replace(/\.[^.]*$/, '') || 'scenario';
}
