import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OperationalError, TooManyRequestsError, UserError } from './errors.js';

/** The one error body every 4xx/5xx response carries. */
export const errorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      field: z.string().optional(),
      requestId: z.string().optional(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof errorBody>;

function send(reply: FastifyReply, status: number, error: ErrorBody['error']): FastifyReply {
  return reply.status(status).type('application/json').send({ error });
}

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Turns a zod validation failure into `{code, message, field}` naming the first field at fault. */
function describeValidation(issues: ValidationIssue[], context: string | undefined) {
  const first = issues[0] as ValidationIssue;
  let field = first.instancePath.replace(/^\//, '').replaceAll('/', '.');
  let message = first.message ?? 'is invalid';
  if (first.keyword === 'unrecognized_keys') {
    const keys = (first.params?.keys as string[] | undefined) ?? [];
    field = [field, keys[0]].filter(Boolean).join('.');
    message = `Unknown field${keys.length > 1 ? 's' : ''}: ${keys.join(', ')}`;
  } else if (!field) {
    field = context === 'body' ? 'body' : (context ?? 'request');
  }
  return {
    code: 'invalid_request',
    message: `${field}: ${message}`,
    field,
    details: issues.map((i) => ({
      field: i.instancePath.replace(/^\//, '').replaceAll('/', '.') || undefined,
      code: i.keyword,
      message: i.message,
      ...(i.keyword === 'unrecognized_keys' ? { keys: i.params?.keys } : {}),
    })),
  };
}

/** One mapping from errors to responses: UserError → 4xx, validation → 400, the rest → 500 with a request id. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof UserError) {
      if (err instanceof TooManyRequestsError) reply.header('retry-after', String(err.retryAfterSeconds));
      return send(reply, err.status, {
        code: err.code,
        message: err.message,
        ...(err.field ? { field: err.field } : {}),
        ...(err.details !== undefined ? { details: err.details } : {}),
      });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      return send(reply, 400, describeValidation(err.validation, err.validationContext));
    }
    if (err.validation) {
      return send(reply, 400, describeValidation(err.validation as ValidationIssue[], err.validationContext));
    }
    switch (err.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return send(reply, 400, {
          code: 'invalid_json',
          message: `Request body is not valid JSON: ${err.message}`,
          field: 'body',
        });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return send(reply, 415, { code: 'unsupported_media_type', message: err.message, field: 'content-type' });
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return send(reply, 413, { code: 'payload_too_large', message: err.message, field: 'body' });
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return send(reply, 400, { code: 'invalid_request', message: err.message, field: 'content-length' });
    }
    if (err.statusCode === 429) {
      return send(reply, 429, { code: 'rate_limited', message: err.message || 'Too many requests; retry later' });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return send(reply, err.statusCode, { code: 'bad_request', message: err.message });
    }
    if (err instanceof OperationalError) {
      req.log.warn({ err }, 'operational error');
      reply.header('retry-after', '5');
      return send(reply, 503, {
        code: 'unavailable',
        message: 'Temporarily unavailable; retry shortly',
        requestId: req.id,
      });
    }
    req.log.error({ err }, 'unexpected error');
    return send(reply, 500, {
      code: 'internal',
      message: 'Something went wrong on our side. Quote the request id when you report it.',
      requestId: req.id,
    });
  });
}

/** 404 in the error shape for API paths. */
export function notFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return send(reply, 404, { code: 'not_found', message: `No route ${req.method} ${req.url.split('?')[0]}` });
}

/** Standard error responses for an OpenAPI route schema. */
export const errorResponses = {
  400: errorBody,
  401: errorBody,
  403: errorBody,
  404: errorBody,
  409: errorBody,
  429: errorBody,
} as const;
