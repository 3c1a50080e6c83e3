import type { ErrorDefinition } from '@plexus/errors';

/**
 * The errors every Plexus HTTP API raises for what the framework detects (validation, JSON,
 * sizes, unknown routes). Each app declares them in its own catalog, with its own code prefix
 * (`PLX_CONTROL_VALIDATION`, `PLX_DATA_VALIDATION`), and hands them to the error handler.
 */
export interface HttpErrorCatalog {
  readonly validation: ErrorDefinition<[string]>;
  readonly invalidJson: ErrorDefinition<[string]>;
  readonly bodyTooLarge: ErrorDefinition<[number]>;
  readonly unsupportedMediaType: ErrorDefinition<[string]>;
  readonly badRequest: ErrorDefinition<[string]>;
  readonly routeNotFound: ErrorDefinition<[string, string]>;
  readonly internal: ErrorDefinition<[]>;
}
