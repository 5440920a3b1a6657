import type { TFunction } from 'i18next';

/** The server's minimum; checked here too so the message arrives before the round trip. */
export const MIN_PASSWORD_LENGTH = 10;

// Deliberately loose: the server has the final word, this only catches typos like a missing "@".
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export const required = (t: TFunction) => (value: string) => (value.trim() ? null : t('validation.required'));

export const email = (t: TFunction) => (value: string) =>
  EMAIL.test(value.trim()) ? null : value.trim() ? t('validation.email') : t('validation.required');

export const newPassword = (t: TFunction) => (value: string) =>
  value.length >= MIN_PASSWORD_LENGTH ? null : t('validation.passwordTooShort', { count: MIN_PASSWORD_LENGTH });

export const password = (t: TFunction) => (value: string) => (value ? null : t('validation.required'));
