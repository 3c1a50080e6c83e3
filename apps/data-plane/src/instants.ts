import { DataPlaneErrors } from './errors.ts';

const DAY_MS = 24 * 3600 * 1000;

/** Epoch ms from a query or body value that is epoch ms or ISO 8601; 400 naming the field otherwise. */
export function parseInstant(value: string, field: string): number {
  const epoch = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isSafeInteger(epoch)) throw DataPlaneErrors.invalidInstant(value, { field });
  return epoch;
}

/** The half-open range a query asks for: `to` defaults to now, `from` to a day before `to`. */
export function rangeOf(query: { from?: string | undefined; to?: string | undefined }, where: 'querystring' | 'body', now: number): { from: number; to: number } {
  const to = query.to === undefined ? now : parseInstant(query.to, `${where}/to`);
  const from = query.from === undefined ? to - DAY_MS : parseInstant(query.from, `${where}/from`);
  if (from > to) throw DataPlaneErrors.invalidRange({ field: `${where}/from` });
  return { from, to };
}
