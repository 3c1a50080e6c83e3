import type { Static, TObject, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { ConfigErrors } from './errors.ts';

// An app reads its environment once, at start, through a TypeBox object whose property names
// are the variable names. A bad value stops the process with a message naming the variable.

type Environment = Readonly<Record<string, string | undefined>>;

// URLs carry passwords and keys are secrets: their rejected values are not echoed into errors.
const SECRET_NAME = /URI|URL|KEY|TOKEN|PASSWORD|SECRET/;

function shown(name: string, value: string | undefined): string {
  if (value === undefined) return 'unset';
  return SECRET_NAME.test(name) ? 'value hidden' : `got ${JSON.stringify(value)}`;
}

function schemaType(schema: TSchema): string | undefined {
  const type = (schema as { type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}

function convert(raw: string, schema: TSchema): unknown {
  switch (schemaType(schema)) {
    case 'integer':
    case 'number':
      return raw.trim() === '' ? raw : Number(raw);
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    default:
      return raw;
  }
}

export function loadConfig<T extends TObject>(schema: T, env: Environment = process.env): Static<T> {
  const values: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties as Record<string, TSchema>)) {
    const raw = env[name];
    const fallback = (property as { default?: unknown }).default;
    if (raw !== undefined && raw !== '') values[name] = convert(raw, property);
    else if (fallback !== undefined) values[name] = fallback;
  }
  const validator = Compile(schema);
  if (validator.Check(values)) return values as Static<T>;
  const problems = validator.Errors(values).map((error) => {
    const missing = (error.params as { requiredProperties?: string[] }).requiredProperties;
    if (error.keyword === 'required' && missing) return `${missing.join(', ')} must be set`;
    const name = error.instancePath.slice(1);
    return `${name} ${error.message} (${shown(name, env[name])})`;
  });
  throw ConfigErrors.invalid([...new Set(problems)].join('; '));
}
