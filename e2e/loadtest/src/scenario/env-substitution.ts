import { scenarioErrors, where } from './errors.ts';

// `${NAME}` and `${NAME:-default}` in a scenario file are replaced from the environment before
// parsing, so a long run's knobs (think time, fleet size) can change without editing the file.

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function substituteEnv(text: string, source: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(VARIABLE, (_match, name: string, fallback: string | undefined, offset: number) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    const line = text.slice(0, offset).split('\n').length;
    throw scenarioErrors.unsetVariable(`${source}:${line}`, name, where(source, `line ${line}`));
  });
}
