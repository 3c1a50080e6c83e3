export { bearerToken } from './bearer-token.ts';
export { errorHandler } from './error-handler.ts';
export type { HttpErrorCatalog } from './http-errors.ts';
export { openApi, type OpenApiOptions } from './openapi.ts';
export { errorResponses } from './error-responses.ts';
