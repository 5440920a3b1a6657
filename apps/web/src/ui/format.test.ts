import { describe, expect, it } from 'vitest';
import { createFormat, formatLocale, MISSING } from './format';

describe('formatting by the workspace settings', () => {
  const at = '2025-03-09T23:30:00Z';

  it('writes dates in the workspace time zone and locale', () => {
    const us = createFormat({ locale: 'en-US', language: 'en', currency: 'USD', timeZone: 'America/New_York' });
    expect(us.date(at)).toBe('Mar 9, 2025');
    expect(us.dateTime(at)).toMatch(/^Mar 9, 2025, 7:30\sPM$/);
    const madrid = createFormat({ locale: 'es-ES', language: 'es', currency: 'EUR', timeZone: 'Europe/Madrid' });
    expect(madrid.date(at)).toBe('10 mar 2025');
    expect(madrid.dateTime(new Date(at))).toBe('10 mar 2025, 0:30');
  });

  it('writes money in the workspace currency unless another is given, and numbers by locale', () => {
    const es = createFormat({ locale: 'es-ES', language: 'es', currency: 'EUR', timeZone: 'UTC' });
    expect(es.money(1234.5)).toBe('1234,50\u00a0€');
    expect(es.money(12_345.5)).toBe('12.345,50\u00a0€');
    expect(es.money(10, 'USD')).toBe('10,00\u00a0US$');
    expect(es.number(1234567.891)).toBe('1.234.567,891');
    const gb = createFormat({ locale: 'en-GB', language: 'en', currency: 'GBP', timeZone: 'UTC' });
    expect(gb.money(8911407.9)).toBe('£8,911,407.90');
    expect(gb.number(0.25, { style: 'percent' })).toBe('25%');
  });

  it('shows a dash for missing or unreadable values', () => {
    const f = createFormat({ locale: 'en', language: 'en', currency: 'USD', timeZone: 'UTC' });
    for (const v of [null, undefined, '', 'not a date']) expect(f.date(v)).toBe(MISSING);
    expect(f.money(null)).toBe(MISSING);
    expect(f.number(Number.NaN)).toBe(MISSING);
  });

  it('reads in the interface language with the business region when they differ', () => {
    expect(formatLocale({ locale: 'en-US', language: 'es' })).toBe('es-US');
    expect(formatLocale({ locale: 'en', language: 'es', country: 'GB' })).toBe('es-GB');
    expect(formatLocale({ locale: 'es-MX', language: 'es' })).toBe('es-MX');
    expect(formatLocale({ locale: 'es', language: 'en' })).toBe('en');
    const f = createFormat({ locale: 'en-US', language: 'es', currency: 'USD', timeZone: 'UTC' });
    expect(f.date(at)).toMatch(/mar/);
  });

  it('falls back safely on a bad time zone or currency', () => {
    const f = createFormat({ locale: 'en', language: 'en', currency: 'ZZZ', timeZone: 'Mars/Olympus' });
    expect(f.timeZone).toBe('UTC');
    expect(f.money(3)).toMatch(/3/);
  });
});
