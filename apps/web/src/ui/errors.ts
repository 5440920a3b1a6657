import type { TFunction } from 'i18next';
import { ApiError, NETWORK_ERROR } from '../api/client';

/** The server's text without the leading `field: ` it adds for scripts (the form shows the field). */
function serverText(error: ApiError): string {
  const prefix = error.field ? `${error.field}: ` : '';
  return prefix && error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

/**
 * A message for a person, in their language, for any error an API call can throw. The API words
 * its errors in the interface language (the client sends it), so 4xx texts are shown as they come.
 */
export function describeError(t: TFunction, error: unknown): string {
  if (!(error instanceof ApiError)) return t('errors.generic');
  switch (error.code) {
    case NETWORK_ERROR:
      return t('errors.network');
    case 'rate_limited':
      return t('errors.rateLimited', { count: error.retryAfter ?? 60 });
    case 'invalid_credentials':
      // Signing in names no field but the password; a form asking for the current password gets the API's own text.
      return error.field === 'password' ? t('errors.invalidCredentials') : serverText(error);
    case 'already_set_up':
      return t('errors.alreadySetUp');
    case 'unauthorized':
      return t('errors.unauthorized');
    case 'forbidden':
      return t('errors.forbidden');
  }
  // 4xx messages are written for people, in their language; 5xx ones are not.
  return error.status >= 400 && error.status < 500 && error.message ? serverText(error) : t('errors.generic');
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
