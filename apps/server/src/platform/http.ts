import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OperationalError, TooManyRequestsError, UserError } from './errors.js';
import { type Language, type Message, pickLanguage, pm, render, translateEnglish } from './messages.js';

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

type LocaleError = (issue: never) => string | { message: string } | undefined | null;
const zodLocales: Record<Language, LocaleError> = {
  en: z.locales.en().localeError as LocaleError,
  es: z.locales.es().localeError as LocaleError,
};

function localeText(language: Language, issue: Record<string, unknown>): string | null {
  const out = zodLocales[language](issue as never);
  return typeof out === 'string' ? out : (out?.message ?? null);
}

/** The value at a JSON pointer-like path (`/a/0/b`) of what the client sent. */
function valueAt(root: unknown, instancePath: string): unknown {
  let value = root;
  for (const key of instancePath.split('/').filter(Boolean)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * One zod issue's text in a language. English is zod's own text (or the schema's custom one).
 * Otherwise: a custom text from our catalog, or zod's locale re-rendering its default text from
 * the issue's fields (the input is read back from the request, as zod does not keep it); a
 * custom text missing from the catalog stays in English.
 */
function issueText(issue: ValidationIssue, language: Language, input: unknown): string {
  const english = issue.message ?? render(pm('is_invalid'), 'en');
  if (language === 'en') return english;
  const catalogued = translateEnglish(english, language);
  if (catalogued) return catalogued;
  const fields = { ...issue.params, code: issue.keyword, input, path: [] };
  if (localeText('en', fields) === english) return localeText(language, fields) ?? english;
  return english;
}

/** Turns a zod validation failure into `{code, message, field}` naming the first field at fault. */
function describeValidation(
  issues: ValidationIssue[],
  context: string | undefined,
  language: Language,
  req: FastifyRequest,
) {
  const sent = context ? (req as unknown as Record<string, unknown>)[context] : undefined;
  const first = issues[0] as ValidationIssue;
  let field = first.instancePath.replace(/^\//, '').replaceAll('/', '.');
  let message: string;
  if (first.keyword === 'unrecognized_keys') {
    const keys = (first.params?.keys as string[] | undefined) ?? [];
    field = [field, keys[0]].filter(Boolean).join('.');
    message = render(pm(keys.length > 1 ? 'unknown_fields' : 'unknown_field', { keys: keys.join(', ') }), language);
  } else {
    message = issueText(first, language, valueAt(sent, first.instancePath));
    if (!field) field = context === 'body' ? 'body' : (context ?? 'request');
  }
  return {
    code: 'invalid_request',
    message: `${field}: ${message}`,
    field,
    details: issues.map((i) => ({
      field: i.instancePath.replace(/^\//, '').replaceAll('/', '.') || undefined,
      code: i.keyword,
      message: issueText(i, language, valueAt(sent, i.instancePath)),
      ...(i.keyword === 'unrecognized_keys' ? { keys: i.params?.keys } : {}),
    })),
  };
}

/** The language of the error texts for this request (`Accept-Language`; English by default). */
export function requestLanguage(req: FastifyRequest): Language {
  return pickLanguage(req.headers['accept-language']);
}

/**
 * One mapping from errors to responses: UserError → 4xx, validation → 400, the rest → 500 with
 * a request id. Messages are in the caller's language; `code` and `field` never change.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const language = requestLanguage(req);
    // Fastify's own texts stay as they are in English; other languages get ours.
    const say = (message: Message, englishOriginal?: string) =>
      language === 'en' && englishOriginal ? englishOriginal : render(message, language);
    if (err instanceof UserError) {
      if (err instanceof TooManyRequestsError) reply.header('retry-after', String(err.retryAfterSeconds));
      return send(reply, err.status, {
        code: err.code,
        message: err.localized(language),
        ...(err.field ? { field: err.field } : {}),
        ...(err.details !== undefined ? { details: err.details } : {}),
      });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      return send(reply, 400, describeValidation(err.validation, err.validationContext, language, req));
    }
    if (err.validation) {
      return send(
        reply,
        400,
        describeValidation(err.validation as ValidationIssue[], err.validationContext, language, req),
      );
    }
    switch (err.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return send(reply, 400, {
          code: 'invalid_json',
          message: render(pm('invalid_json', { detail: err.message }), language),
          field: 'body',
        });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return send(reply, 415, {
          code: 'unsupported_media_type',
          message: say(pm('unsupported_media_type', { type: String(req.headers['content-type'] ?? '') }), err.message),
          field: 'content-type',
        });
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return send(reply, 413, {
          code: 'payload_too_large',
          message: say(pm('payload_too_large'), err.message),
          field: 'body',
        });
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return send(reply, 400, {
          code: 'invalid_request',
          message: say(pm('bad_content_length'), err.message),
          field: 'content-length',
        });
    }
    if (err.statusCode === 429) {
      return send(reply, 429, { code: 'rate_limited', message: say(pm('rate_limited'), err.message) });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return send(reply, err.statusCode, { code: 'bad_request', message: say(pm('bad_request'), err.message) });
    }
    if (err instanceof OperationalError) {
      req.log.warn({ err }, 'operational error');
      reply.header('retry-after', '5');
      return send(reply, 503, { code: 'unavailable', message: say(pm('unavailable')), requestId: req.id });
    }
    req.log.error({ err }, 'unexpected error');
    return send(reply, 500, { code: 'internal', message: say(pm('internal')), requestId: req.id });
  });
}

/** 404 in the error shape for API paths. */
export function notFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const message = pm('no_route', { method: req.method, path: req.url.split('?')[0] ?? '' });
  return send(reply, 404, { code: 'not_found', message: render(message, requestLanguage(req)) });
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
