import { ErrorResponse } from '@plexus/contracts';

/** The error statuses a route can answer with, each described by the one error schema. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorResponse> {
  return Object.fromEntries([401, 403, ...statuses].map((status) => [status, ErrorResponse]));
}
