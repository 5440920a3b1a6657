/**
 * SMS on the wire: how many segments a text takes (GSM-7 or UCS-2), the provider interface with
 * its two adapters — a Twilio-compatible HTTP API and `log` for development — Twilio's request
 * signature (`X-Twilio-Signature`) and the opt-out keywords (docs/adr/0013).
 */
import crypto from 'node:crypto';

// ── length and segments ──

// The GSM 03.38 default alphabet (one septet each) and its extension table (escape + one septet).
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('^{}\\[~]|€\f');

export interface SmsLength {
  encoding: 'GSM-7' | 'UCS-2';
  /** Characters as a person counts them (Unicode code points). */
  characters: number;
  /** What the encoding counts: septets (GSM-7, an extension character is two) or UTF-16 units (UCS-2). */
  units: number;
  segments: number;
}

/**
 * The encoding and segment count of a text: GSM-7 when every character is in the GSM alphabet
 * (160 in one message, 153 per part when split), else UCS-2 (70, or 67 per part). Parts never
 * split an escape pair or a surrogate pair, as handsets do.
 */
export function smsLength(text: string): SmsLength {
  const chars = [...text];
  const gsm = chars.every((c) => GSM_BASIC.has(c) || GSM_EXTENDED.has(c));
  const sizes = gsm ? chars.map((c) => (GSM_EXTENDED.has(c) ? 2 : 1)) : chars.map((c) => c.length);
  const units = sizes.reduce((a, b) => a + b, 0);
  const [single, part] = gsm ? [160, 153] : [70, 67];
  let segments = units === 0 ? 0 : 1;
  if (units > single) {
    segments = 1;
    let used = 0;
    for (const size of sizes) {
      if (used + size > part) {
        segments++;
        used = 0;
      }
      used += size;
    }
  }
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', characters: chars.length, units, segments };
}

/** A phone number in E.164 (`+` and 8 to 15 digits). */
export const E164 = /^\+[1-9]\d{7,14}$/;

// ── providers ──

export interface SmsRequest {
  to: string;
  body: string;
  /** Where the provider reports delivery (Twilio's `StatusCallback`). */
  statusCallback: string | null;
}

export interface SmsSent {
  /** The provider's id of the message (Twilio's `sid`). */
  providerMessageId: string;
  /** The provider's first status (Twilio: `queued`, `accepted`, …). */
  status: string;
}

export type SmsFailureKind = 'unreachable' | 'timeout' | 'auth' | 'rejected';

/** A provider refused or could not be reached; `temporary` says whether trying later may help. */
export class SmsProviderError extends Error {
  constructor(
    readonly kind: SmsFailureKind,
    readonly temporary: boolean,
    readonly reason: string,
    readonly statusCode: number | null = null,
    readonly providerCode: string | null = null,
  ) {
    super(reason);
    this.name = 'SmsProviderError';
  }
}

/** What sending an SMS needs from a provider. */
export interface SmsProvider {
  readonly name: 'twilio' | 'log';
  send(request: SmsRequest): Promise<SmsSent>;
}

export interface TwilioConfig {
  /** `https://api.twilio.com`, or a compatible API's address. */
  baseUrl: string;
  accountSid: string;
  authToken: string;
  /** The sender number (E.164) … */
  from: string | null;
  /** … or a Messaging Service that picks one. */
  messagingServiceSid: string | null;
  timeoutMs?: number;
}

/**
 * Twilio's Messages API (and compatible ones): a form-encoded POST to
 * `{base}/2010-04-01/Accounts/{sid}/Messages.json` with basic auth. A timeout is not retried:
 * the provider may have accepted the message, and one SMS twice is worse than a failure to look at.
 */
export function twilioProvider(c: TwilioConfig): SmsProvider {
  const url = `${c.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(c.accountSid)}/Messages.json`;
  const auth = `Basic ${Buffer.from(`${c.accountSid}:${c.authToken}`).toString('base64')}`;
  const timeoutMs = c.timeoutMs ?? 15_000;
  return {
    name: 'twilio',
    async send(r) {
      const form = new URLSearchParams({ To: r.to, Body: r.body });
      if (c.messagingServiceSid) form.set('MessagingServiceSid', c.messagingServiceSid);
      if (c.from) form.set('From', c.from);
      if (r.statusCallback) form.set('StatusCallback', r.statusCallback);
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: {
            authorization: auth,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: form.toString(),
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
        if (e.name === 'TimeoutError' || e.name === 'AbortError') {
          throw new SmsProviderError('timeout', false, `no answer within ${timeoutMs} ms`);
        }
        const reason = `${e.cause?.code ?? ''} ${e.cause?.message ?? e.message ?? String(err)}`.trim();
        throw new SmsProviderError('unreachable', true, reason.slice(0, 500));
      }
      const text = await res.text().catch(() => '');
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // not JSON: the status says enough
      }
      if (res.ok && typeof json.sid === 'string') {
        return { providerMessageId: json.sid, status: typeof json.status === 'string' ? json.status : 'queued' };
      }
      const providerCode = json.code !== undefined && json.code !== null ? String(json.code) : null;
      const message =
        typeof json.message === 'string'
          ? json.message
          : text.replace(/\s+/g, ' ').trim().slice(0, 300) || res.statusText;
      const reason = `${res.status}${providerCode ? ` (${providerCode})` : ''}: ${message}`.slice(0, 500);
      if (res.ok) throw new SmsProviderError('rejected', false, `${res.status}: no sid in the answer`, res.status);
      if (res.status === 401 || res.status === 403)
        throw new SmsProviderError('auth', false, reason, res.status, providerCode);
      const temporary = res.status === 429 || res.status >= 500;
      throw new SmsProviderError('rejected', temporary, reason, res.status, providerCode);
    },
  };
}

/** For development: records the message as sent, with no network at all. */
export function logProvider(): SmsProvider {
  return {
    name: 'log',
    async send() {
      return { providerMessageId: `log_${crypto.randomBytes(12).toString('hex')}`, status: 'sent' };
    },
  };
}

// ── Twilio's request signature ──

/**
 * `X-Twilio-Signature`: base64 HMAC-SHA1, keyed with the auth token, of the full URL Twilio
 * called followed by every POST parameter, sorted by name, as name and value joined.
 */
export function twilioSignature(authToken: string, url: string, params: [string, string][]): string {
  const sorted = [...params].sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const data = url + sorted.map(([k, v]) => k + v).join('');
  return crypto.createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: [string, string][],
  header: string | undefined,
): boolean {
  if (!header) return false;
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const given = Buffer.from(header);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

// ── opt-out keywords ──

const STOP = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'BAJA']);
const START = new Set(['START', 'UNSTOP']);

/** What an inbound text asks for: the whole message, any case, accents and punctuation ignored. */
export function keywordOf(body: string): { action: 'stop' | 'start'; keyword: string } | null {
  const word = body
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}]/gu, '')
    .toUpperCase();
  if (STOP.has(word)) return { action: 'stop', keyword: word };
  if (START.has(word)) return { action: 'start', keyword: word };
  return null;
}
