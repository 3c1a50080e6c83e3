import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ErrorResponse } from '@plexus/contracts';
import { isPlexusError, type PlexusError } from '@plexus/errors';
import type { HttpErrorCatalog } from './http-errors.ts';

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** The field a validation error is about, as `<where>/<json pointer>`, e.g. `body/id`. */
function fieldOf(issue: ValidationIssue, context: string): string {
  const missing = issue.params['missingProperty'];
  const extra = issue.params['additionalProperty'];
  const leaf = typeof missing === 'string' ? `/${missing}` : typeof extra === 'string' ? `/${extra}` : '';
  return `${context}${issue.instancePath}${leaf}`;
}

function describeValidation(error: FastifyError): { field: string; message: string } {
  const issues = (error.validation ?? []) as ValidationIssue[];
  const issue = issues.find((candidate) => candidate.keyword !== 'anyOf' && candidate.keyword !== 'if') ?? issues[0];
  const context = error.validationContext ?? 'body';
  if (!issue) return { field: context, message: error.message };
  const field = fieldOf(issue, context);
  const why = issue.keyword === 'additionalProperties' ? 'is not a known property' : (issue.message ?? 'is invalid');
  return { field, message: `${field} ${why}` };
}

function fromFramework(errors: HttpErrorCatalog, error: FastifyError): PlexusError | null {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.bodyTooLarge(Number(/\d+/.exec(error.message)?.[0] ?? 0));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errors.unsupportedMediaType(error.message.replace(/^Unsupported Media Type:?\s*/i, ''));
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.invalidJson(error.message);
  }
  if (error instanceof SyntaxError) return errors.invalidJson(error.message);
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const mapped = errors.badRequest(error.message);
    return Object.assign(mapped, { statusCode: status });
  }
  return null;
}

/** Every error leaves as `{ statusCode, code, message, field? }` with a stable `PLX_…` code. */
export const errorHandler = fp(
  async (app: FastifyInstance, { errors }: { errors: HttpErrorCatalog }) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      let body: ErrorResponse;
      if (error.validation) {
        const { field, message } = describeValidation(error);
        body = { statusCode: 400, code: errors.validation.code, message, field };
      } else if (isPlexusError(error)) {
        body = { statusCode: error.statusCode, code: error.code, message: error.message };
        const field = error.details?.['field'];
        if (typeof field === 'string') body.field = field;
      } else {
        const mapped = fromFramework(errors, error);
        if (mapped) {
          body = { statusCode: mapped.statusCode, code: mapped.code, message: mapped.message };
        } else {
          request.log.error({ err: error }, 'request failed');
          const internal = errors.internal();
          body = { statusCode: 500, code: internal.code, message: internal.message };
        }
      }
      // A catalogued 5xx (a store timing out) is an expected condition: its code says it all.
      if (body.statusCode >= 500 && isPlexusError(error)) request.log.warn({ code: error.code }, error.message);
      reply.code(body.statusCode).type('application/json').send(body);
    });
    app.setNotFoundHandler((request, reply) => {
      const error = errors.routeNotFound(request.method, request.url.split('?')[0] ?? '');
      reply.code(404).send({ statusCode: 404, code: error.code, message: error.message });
    });
  },
  { name: 'plexus-error-handler' }
);
