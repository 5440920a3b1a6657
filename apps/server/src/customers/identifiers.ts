import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** The kinds of identifier a profile owns. External ids are `external:<namespace>`. */
export type IdentifierKind = 'anonymous_id' | 'user_id' | 'email' | 'phone' | `external:${string}`;

export interface Identifier {
  kind: IdentifierKind;
  value: string;
}

export interface RejectedIdentifier {
  kind: string;
  value: unknown;
  reason: string;
}

// Values SDKs and forms send when they have no id: never an identity.
const JUNK = new Set([
  '',
  'null',
  'undefined',
  'nil',
  'none',
  'nan',
  '0',
  '-1',
  'anonymous',
  'unknown',
  '[object object]',
  'n/a',
  'na',
  'guest',
  'test',
]);

/** The id as a string, or null with a reason when it is junk. */
function cleanId(value: unknown): { value: string } | { reason: string } {
  if (value === null || value === undefined) return { reason: 'empty' };
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  if (typeof value !== 'string') return { reason: `not a string (${typeof value})` };
  const v = value.trim();
  if (JUNK.has(v.toLowerCase())) return { reason: `placeholder value "${v}"` };
  if (v.length > 200) return { reason: 'longer than 200 characters' };
  return { value: v };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normalizeEmail(value: unknown): { value: string } | { reason: string } {
  const c = cleanId(value);
  if (!('value' in c)) return c;
  const v = c.value.toLowerCase();
  return EMAIL.test(v) ? { value: v } : { reason: 'not an email address' };
}

/** E.164 (+34600123456), reading numbers without a country code in the workspace's country. */
export function normalizePhone(value: unknown, defaultCountry: string): { value: string } | { reason: string } {
  const c = cleanId(value);
  if (!('value' in c)) return c;
  const parsed = parsePhoneNumberFromString(c.value, defaultCountry as CountryCode);
  if (!parsed?.isPossible()) return { reason: 'not a phone number' };
  return { value: parsed.number };
}

/** Collects identifiers, keeping each once and reporting junk instead of using it. */
export class IdentifierSet {
  readonly ids: Identifier[] = [];
  readonly rejected: RejectedIdentifier[] = [];
  constructor(private readonly defaultCountry: string) {}

  add(kind: IdentifierKind, raw: unknown): string | null {
    if (raw === undefined) return null;
    const r =
      kind === 'email'
        ? normalizeEmail(raw)
        : kind === 'phone'
          ? normalizePhone(raw, this.defaultCountry)
          : cleanId(raw);
    if (!('value' in r)) {
      if (raw !== null && raw !== '') this.rejected.push({ kind, value: raw, reason: r.reason });
      return null;
    }
    if (!this.ids.some((i) => i.kind === kind && i.value === r.value)) this.ids.push({ kind, value: r.value });
    return r.value;
  }
}

export const identifierKey = (i: Identifier) => `${i.kind}\u0000${i.value}`;
