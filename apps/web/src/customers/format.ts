import { useMemo } from 'react';
import { useCurrentSession } from '../shell/guards';

/** Formats dates, numbers and money by the workspace's locale, currency and time zone. */
export interface Formatters {
  locale: string;
  timeZone: string;
  currency: string;
  date(iso: string | null | undefined): string;
  dateTime(iso: string | null | undefined): string;
  /** The time of day somewhere else (a customer's own zone), with the zone's short name. */
  timeIn(timeZone: string, at?: Date): string;
  number(n: number): string;
  money(amount: number | null | undefined, currency?: string | null): string;
}

const DASH = '—';

function safeTimeZone(tz: string | undefined): string {
  try {
    if (tz) return new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    // An unknown zone: fall back to the browser's.
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function safeLocale(locale: string | undefined): string {
  try {
    if (locale) return Intl.getCanonicalLocales(locale)[0] ?? 'en';
  } catch {
    // Not a language tag.
  }
  return 'en';
}

/** Builds formatters for a locale, time zone and default currency. */
export function createFormatters(localeTag: string, zone: string, defaultCurrency: string): Formatters {
  const locale = safeLocale(localeTag);
  const timeZone = safeTimeZone(zone);
  const dateFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone });
  const dateTimeFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone });
  const numberFmt = new Intl.NumberFormat(locale);
  const moneyFmts = new Map<string, Intl.NumberFormat>();
  const moneyFmt = (currency: string) => {
    let f = moneyFmts.get(currency);
    if (!f) {
      try {
        f = new Intl.NumberFormat(locale, { style: 'currency', currency });
      } catch {
        f = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      }
      moneyFmts.set(currency, f);
    }
    return f;
  };
  const parse = (iso: string | null | undefined) => {
    if (!iso) return null;
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? null : d;
  };
  return {
    locale,
    timeZone,
    currency: defaultCurrency,
    date: (iso) => {
      const d = parse(iso);
      return d ? dateFmt.format(d) : DASH;
    },
    dateTime: (iso) => {
      const d = parse(iso);
      return d ? dateTimeFmt.format(d) : DASH;
    },
    // timeStyle cannot be combined with timeZoneName: spell the fields out.
    timeIn: (tz, at = new Date()) =>
      new Intl.DateTimeFormat(locale, {
        hour: 'numeric',
        minute: '2-digit',
        timeZone: safeTimeZone(tz),
        timeZoneName: 'short',
      }).format(at),
    number: (n) => numberFmt.format(n),
    money: (amount, currency) =>
      amount === null || amount === undefined ? DASH : moneyFmt(currency || defaultCurrency).format(amount),
  };
}

/** The workspace's formatters (locale, currency, time zone of the business). */
export function useFormat(): Formatters {
  const { workspace } = useCurrentSession();
  const locale = workspace?.locale ?? 'en';
  const timeZone = workspace?.timezone ?? 'UTC';
  const currency = workspace?.currency ?? 'USD';
  return useMemo(() => createFormatters(locale, timeZone, currency), [locale, timeZone, currency]);
}
