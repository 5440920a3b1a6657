import type { TFunction } from 'i18next';
import { ApiError, NETWORK_ERROR } from '../api/client';

/** A message for a person, in their language, for any error an API call can throw. */
export function describeError(t: TFunction, error: unknown): string {
  if (!(error instanceof ApiError)) return t('errors.generic');
  switch (error.code) {
    case NETWORK_ERROR:
      return t('errors.network');
    case 'rate_limited':
      return t('errors.rateLimited', { count: error.retryAfter ?? 60 });
    case 'invalid_credentials':
      return t('errors.invalidCredentials');
    case 'already_set_up':
      return t('errors.alreadySetUp');
    case 'unauthorized':
      return t('errors.unauthorized');
    case 'forbidden':
      return t('errors.forbidden');
    case 'invalid_request':
      // The server's text names the rule in English; the field highlight says where.
      return error.field ? t('errors.invalidValue') : error.message;
  }
  // Other 4xx messages are written for people; 5xx ones are not.
  return error.status >= 400 && error.status < 500 && error.message ? error.message : t('errors.generic');
}

/**
 * Puts an API error next to the form field it names, when the form has that field.
 * Returns the message for the form-level alert when it does not, or null when it was placed.
 */
export function placeError(
  t: TFunction,
  error: unknown,
  form: { setFieldError: (field: never, message: string) => void },
  fields: readonly string[],
): string | null {
  const message = describeError(t, error);
  if (error instanceof ApiError && error.field && fields.includes(error.field)) {
    form.setFieldError(error.field as never, message);
    return null;
  }
  return message;
}
