/** The words of consent (PRV-1): channels, purposes and statuses, as the API and the tables spell them. */

export const CONSENT_CHANNELS = ['email', 'sms', 'whatsapp', 'push', 'direct_mail', 'phone'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

export const CONSENT_PURPOSES = ['marketing', 'transactional'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** `pending`: asked, awaiting confirmation (double opt-in); `unknown`: nothing recorded. */
export const CONSENT_STATUSES = ['subscribed', 'unsubscribed', 'pending', 'unknown'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/** Where a change came from: free text, these are the ones Kith itself writes. */
export const CONSENT_SOURCES = [
  'api',
  'app',
  'identify',
  'import',
  'preference_center',
  'unsubscribe_link',
  'double_opt_in',
] as const;

/** Small facts that back a change: ip, userAgent, form, file, messageId, sourceId, … */
export type ConsentEvidence = Record<string, string | number | boolean | null>;

export interface ConsentChange {
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  status: ConsentStatus;
  source: string;
  evidence?: ConsentEvidence;
  /** When it happened (an event's timestamp); an older change never overwrites a newer one. */
  at: Date;
}

/** Who recorded a change: a person in the app, an API key, or the system (event processing). */
export type ConsentActor = { type: 'user' | 'api_key' | 'system'; id: string | null };

/** Readable names for titles (the web translates from the type and data). */
export const CHANNEL_NAMES: Record<ConsentChannel, string> = {
  email: 'Email',
  sms: 'SMS',
  whatsapp: 'WhatsApp',
  push: 'Push',
  direct_mail: 'Direct mail',
  phone: 'Phone',
};
