/** Choices for a business's country, currency, time zone and locale, named in the interface language. */

// ISO 3166-1 alpha-2: every country and territory (Intl names them, it cannot list them).
const COUNTRY_CODES =
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
  'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
  'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO ' +
  'JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR ' +
  'MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO ' +
  'RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV ' +
  'TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW';
export const COUNTRIES: readonly string[] = COUNTRY_CODES.split(' ');

// The usual currency of the countries most businesses here start from; others keep their choice.
const CURRENCY_BY_COUNTRY: Record<string, string> = {
  US: 'USD',
  GB: 'GBP',
  CA: 'CAD',
  AU: 'AUD',
  NZ: 'NZD',
  IE: 'EUR',
  IN: 'INR',
  ZA: 'ZAR',
  ES: 'EUR',
  FR: 'EUR',
  DE: 'EUR',
  IT: 'EUR',
  PT: 'EUR',
  NL: 'EUR',
  BE: 'EUR',
  AT: 'EUR',
  FI: 'EUR',
  GR: 'EUR',
  MX: 'MXN',
  AR: 'ARS',
  CO: 'COP',
  CL: 'CLP',
  PE: 'PEN',
  UY: 'UYU',
  VE: 'VES',
  EC: 'USD',
  GT: 'GTQ',
  CR: 'CRC',
  PA: 'PAB',
  DO: 'DOP',
  BO: 'BOB',
  PY: 'PYG',
  HN: 'HNL',
  NI: 'NIO',
  SV: 'USD',
  PR: 'USD',
  BR: 'BRL',
  JP: 'JPY',
  CH: 'CHF',
  SE: 'SEK',
  NO: 'NOK',
  DK: 'DKK',
  PL: 'PLN',
};

/** The currency usually used in a country, when known. */
export function currencyOf(country: string): string | undefined {
  return CURRENCY_BY_COUNTRY[country];
}

// Locales offered for formatting: the two interface languages in the regions that speak them.
const LOCALE_REGIONS = {
  en: ['US', 'GB', 'CA', 'AU', 'NZ', 'IE', 'IN', 'ZA'],
  es: ['ES', 'MX', 'AR', 'CO', 'CL', 'PE', 'US', 'UY', 'VE', 'EC', 'GT', 'CR', 'PA', 'DO', 'BO', 'PY'],
};
export const LOCALES: readonly string[] = [
  'en',
  'es',
  ...Object.entries(LOCALE_REGIONS).flatMap(([lang, regions]) => regions.map((r) => `${lang}-${r}`)),
];

/** The locale to suggest for a language and country: `es-MX`, or just `es` when not offered. */
export function suggestLocale(language: string, country: string): string {
  const tag = `${language}-${country}`;
  return LOCALES.includes(tag) ? tag : LOCALES.includes(language) ? language : 'en';
}

/** The browser's time zone, when it is one Kith accepts. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** The region of the browser's language (`en-GB` → GB), else US. */
export function browserCountry(): string {
  const tags = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  for (const tag of tags) {
    try {
      const region = new Intl.Locale(tag).maximize().region;
      if (region && COUNTRIES.includes(region)) return region;
    } catch {
      // an odd tag: try the next one
    }
  }
  return 'US';
}

export interface Option {
  value: string;
  label: string;
}

function names(language: string, type: Intl.DisplayNamesType) {
  try {
    return new Intl.DisplayNames([language], { type, fallback: 'code' });
  } catch {
    return null;
  }
}

const collate = (language: string) => new Intl.Collator(language).compare;

export function countryOptions(language: string): Option[] {
  const dn = names(language, 'region');
  const cmp = collate(language);
  return COUNTRIES.map((c) => ({ value: c, label: dn?.of(c) ?? c })).sort((a, b) => cmp(a.label, b.label));
}

export function currencyOptions(language: string): Option[] {
  const dn = names(language, 'currency');
  const codes = Intl.supportedValuesOf('currency');
  return codes.map((c) => ({ value: c, label: `${c} — ${dn?.of(c) ?? c}` }));
}

export function timeZoneOptions(language: string): Option[] {
  const zones = Intl.supportedValuesOf('timeZone');
  if (!zones.includes('UTC')) zones.unshift('UTC');
  const now = new Date();
  return zones.map((zone) => {
    let offset = '';
    try {
      offset =
        new Intl.DateTimeFormat(language, { timeZone: zone, timeZoneName: 'shortOffset' })
          .formatToParts(now)
          .find((p) => p.type === 'timeZoneName')?.value ?? '';
    } catch {
      // unknown to this browser: the name alone
    }
    const name = zone.replaceAll('_', ' ');
    return { value: zone, label: offset ? `${name} (${offset})` : name };
  });
}

export function localeOptions(language: string): Option[] {
  const dn = names(language, 'language');
  const cmp = collate(language);
  return LOCALES.map((l) => ({ value: l, label: dn?.of(l) ?? l })).sort((a, b) => cmp(a.label, b.label));
}
