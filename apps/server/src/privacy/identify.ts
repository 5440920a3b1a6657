/**
 * Consent from Segment `identify` traits (docs/consent.md): Kith's own `traits.consent`, Shopify's
 * `email_marketing_consent` / `sms_marketing_consent`, and the `accepts_marketing` boolean. Pure:
 * returns the changes and, for values it cannot read, warnings; junk never fails the event.
 */
import {
  CONSENT_CHANNELS,
  CONSENT_PURPOSES,
  CONSENT_STATUSES,
  type ConsentChannel,
  type ConsentEvidence,
  type ConsentPurpose,
  type ConsentStatus,
} from './model.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

export interface TraitConsentChange {
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  status: ConsentStatus;
  at: Date;
  /** What the trait adds to the evidence: its name, Shopify's opt-in level, … */
  evidence: ConsentEvidence;
}

/** A value that was ignored, as the processor records it in the event's warnings. */
export type ConsentWarning = {
  code: 'junk_consent';
  trait: string;
  value: string;
  reason: string;
};

const shown = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v))).slice(0, 100);

/** A status from a string (any case) or a boolean (true: subscribed); null when it is neither. */
function statusOf(v: unknown): ConsentStatus | null {
  if (typeof v === 'boolean') return v ? 'subscribed' : 'unsubscribed';
  if (typeof v !== 'string') return null;
  const s = v.trim().toLowerCase();
  return (CONSENT_STATUSES as readonly string[]).includes(s) ? (s as ConsentStatus) : null;
}

/** A boolean as CSV imports and forms write it: true/false, yes/no, 1/0. */
function booleanOf(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : null;
  if (typeof v !== 'string') return null;
  const s = v.trim().toLowerCase();
  if (['true', 'yes', '1', 'y'].includes(s)) return true;
  if (['false', 'no', '0', 'n'].includes(s)) return false;
  return null;
}

/**
 * The time a vendor says the consent changed, when it is a date no later than the event (which
 * reports it); otherwise the event's time. A store that repeats an old consent on every customer
 * update then never overrides a newer change recorded elsewhere.
 */
function timeOf(v: unknown, eventAt: Date): Date {
  if (typeof v !== 'string' && !(v instanceof Date)) return eventAt;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) || d.getTime() > eventAt.getTime() ? eventAt : d;
}

const pick = (o: Obj, ...names: string[]) => {
  for (const n of names) if (o[n] !== undefined && o[n] !== null) return o[n];
  return undefined;
};

// Shopify's states (REST lower-case, GraphQL upper-case). `not_subscribed` (never asked) records
// nothing: it is Kith's `unknown`, and must not clear a status recorded elsewhere.
const SHOPIFY_STATES: Record<string, ConsentStatus | null> = {
  subscribed: 'subscribed',
  unsubscribed: 'unsubscribed',
  pending: 'pending',
  not_subscribed: null,
  // An address Shopify found invalid, or a customer erased: never send.
  invalid: 'unsubscribed',
  redacted: 'unsubscribed',
};

/** Every consent change an identify's traits carry, in the order they apply, and warnings for junk. */
export function consentsFromTraits(
  traits: Obj,
  eventAt: Date,
): { changes: TraitConsentChange[]; warnings: ConsentWarning[] } {
  const changes: TraitConsentChange[] = [];
  const warnings: ConsentWarning[] = [];
  const warn = (trait: string, value: unknown, reason: string) =>
    warnings.push({ code: 'junk_consent', trait, value: shown(value), reason });

  // 1. Shopify: {state, opt_in_level, consent_updated_at} (GraphQL: marketingState, …).
  let shopifyEmail = false;
  for (const [names, channel] of [
    [['email_marketing_consent', 'emailMarketingConsent'], 'email'],
    [['sms_marketing_consent', 'smsMarketingConsent'], 'sms'],
  ] as const) {
    const name = names.find((n) => traits[n] !== undefined && traits[n] !== null);
    if (!name) continue;
    const v = traits[name];
    if (!isObj(v)) {
      warn(name, v, 'must be an object with a state');
      continue;
    }
    const raw = pick(v, 'state', 'marketing_state', 'marketingState');
    const key = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
    if (!(key in SHOPIFY_STATES)) {
      warn(name, raw ?? v, 'state must be subscribed, unsubscribed, pending or not_subscribed');
      continue;
    }
    if (channel === 'email') shopifyEmail = true;
    const status = SHOPIFY_STATES[key];
    if (!status) continue;
    const evidence: ConsentEvidence = { trait: name };
    const level = pick(v, 'opt_in_level', 'marketing_opt_in_level', 'marketingOptInLevel');
    if (typeof level === 'string') evidence.optInLevel = level.slice(0, 50).toLowerCase();
    const from = pick(v, 'consent_collected_from', 'consentCollectedFrom');
    if (typeof from === 'string') evidence.collectedFrom = from.slice(0, 50);
    const at = timeOf(pick(v, 'consent_updated_at', 'consentUpdatedAt'), eventAt);
    changes.push({ channel, purpose: 'marketing', status, at, evidence });
  }

  // 2. accepts_marketing (Shopify's older field, many forms): email marketing. Shopify sends both;
  // its email_marketing_consent says more, so it wins.
  const amName = ['accepts_marketing', 'acceptsMarketing'].find((n) => traits[n] !== undefined && traits[n] !== null);
  if (amName && !shopifyEmail) {
    const b = booleanOf(traits[amName]);
    if (b === null) warn(amName, traits[amName], 'must be true or false');
    else {
      changes.push({
        channel: 'email',
        purpose: 'marketing',
        status: b ? 'subscribed' : 'unsubscribed',
        at: timeOf(pick(traits, 'accepts_marketing_updated_at', 'acceptsMarketingUpdatedAt'), eventAt),
        evidence: { trait: amName },
      });
    }
  }

  // 3. Kith's own: consent: {email: "subscribed"} or {email: {marketing: …, transactional: …}},
  // a status being a string, a boolean or {status, at}. Last, so it wins over the vendor shapes.
  const consent = traits.consent;
  if (consent !== undefined && consent !== null) {
    if (!isObj(consent)) warn('consent', consent, 'must be an object of channels');
    else {
      for (const [channel, value] of Object.entries(consent)) {
        const trait = `consent.${channel}`;
        if (!(CONSENT_CHANNELS as readonly string[]).includes(channel)) {
          warn(trait, channel, `channel must be one of ${CONSENT_CHANNELS.join(', ')}`);
          continue;
        }
        const one = (purpose: ConsentPurpose, v: unknown, at: string) => {
          const withTime = isObj(v) && 'status' in v;
          const status = statusOf(withTime ? v.status : v);
          if (!status) {
            warn(at, withTime ? v.status : v, `status must be one of ${CONSENT_STATUSES.join(', ')}`);
            return;
          }
          changes.push({
            channel: channel as ConsentChannel,
            purpose,
            status,
            at: withTime ? timeOf(v.at, eventAt) : eventAt,
            evidence: { trait: at },
          });
        };
        if (isObj(value) && !('status' in value)) {
          for (const [purpose, v] of Object.entries(value)) {
            if (!(CONSENT_PURPOSES as readonly string[]).includes(purpose)) {
              warn(`${trait}.${purpose}`, purpose, `purpose must be one of ${CONSENT_PURPOSES.join(', ')}`);
              continue;
            }
            one(purpose as ConsentPurpose, v, `${trait}.${purpose}`);
          }
        } else one('marketing', value, trait);
      }
    }
  }
  return { changes, warnings };
}
