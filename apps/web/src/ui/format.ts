import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../api/session';

/**
 * Dates, numbers and money as the workspace writes them. Usage in any signed-in page:
 *
 *   const f = useFormat();
 *   f.date(customer.firstSeenAt)       // "3 Mar 2025"  (workspace time zone)
 *   f.dateTime(event.at)               // "3 Mar 2025, 14:05"
 *   f.number(1234.5)                   // "1,234.5"
 *   f.money(19.9)                      // "€19.90"  (workspace currency)
 *   f.money(19.9, order.currency)      // in the order's own currency
 *
 * Missing or unreadable values come out as "—".
 */
export interface Format {
  /** The BCP 47 locale used, e.g. `es-ES`. */
  readonly locale: string;
  readonly currency: string;
  readonly timeZone: string;
  date(value: DateInput): string;
  dateTime(value: DateInput): string;
  number(value: number | null | undefined, options?: Intl.NumberFormatOptions): string;
  money(amount: number | null | undefined, currency?: string): string;
}

export type DateInput = Date | string | number | null | undefined;

export const MISSING = '—';

export interface FormatSettings {
  /** The workspace's locale (`en`, `es-MX`). */
  locale: string;
  /** The interface language the person chose (`en`, `es`). */
  language: string;
  /** The workspace's country (ISO 3166), used as region when the languages differ. */
  country?: string;
  currency: string;
  timeZone: string;
}

/**
 * The locale to format with: the workspace's, unless the person reads the interface in another
 * language; then that language with the workspace's region ("es" in a US business: `es-US`), so
 * month names match the interface while the business keeps its conventions.
 */
export function formatLocale({ locale, language, country }: Pick<FormatSettings, 'locale' | 'language' | 'country'>) {
  const base = locale.split('-')[0];
  if (!language || base === language) return safeLocale(locale);
  const region = locale.split('-')[1] ?? country;
  return safeLocale(region ? `${language}-${region}` : language);
}

function safeLocale(tag: string): string {
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? 'en';
  } catch {
    return 'en';
  }
}

function toDate(value: DateInput): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A formatter for explicit settings (what useFormat uses; handy outside React and in tests). */
export function createFormat(settings: FormatSettings): Format {
  const locale = formatLocale(settings);
  const { currency } = settings;
  let timeZone = settings.timeZone;
  try {
    new Intl.DateTimeFormat(locale, { timeZone });
  } catch {
    timeZone = 'UTC';
  }
  const dateFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone });
  const dateTimeFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone });
  const moneyFmts = new Map<string, Intl.NumberFormat>();
  const moneyFmt = (code: string) => {
    let f = moneyFmts.get(code);
    if (!f) {
      try {
        f = new Intl.NumberFormat(locale, { style: 'currency', currency: code });
      } catch {
        f = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      }
      moneyFmts.set(code, f);
    }
    return f;
  };
  return {
    locale,
    currency,
    timeZone,
    date: (value) => {
      const d = toDate(value);
      return d ? dateFmt.format(d) : MISSING;
    },
    dateTime: (value) => {
      const d = toDate(value);
      return d ? dateTimeFmt.format(d) : MISSING;
    },
    number: (value, options) =>
      typeof value === 'number' && Number.isFinite(value)
        ? new Intl.NumberFormat(locale, options).format(value)
        : MISSING,
    money: (amount, code) =>
      typeof amount === 'number' && Number.isFinite(amount) ? moneyFmt(code || currency).format(amount) : MISSING,
  };
}

/** Formatting by the current workspace's locale, currency and time zone, in the interface language. */
export function useFormat(): Format {
  const { data: session } = useSession();
  const { i18n } = useTranslation();
  const ws = session?.workspace;
  const language = i18n.resolvedLanguage ?? i18n.language ?? 'en';
  return useMemo(
    () =>
      createFormat({
        locale: ws?.locale ?? language,
        language,
        country: ws?.defaultCountry,
        currency: ws?.currency ?? 'USD',
        timeZone: ws?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
      }),
    [ws?.locale, ws?.defaultCountry, ws?.currency, ws?.timezone, language],
  );
}
