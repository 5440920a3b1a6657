/**
 * Where consent plugs into messaging without messaging importing it: the privacy domain
 * registers the consent check and listens to unsubscribes. Until a check is registered no
 * marketing message goes out (they are skipped with `no_consent_check`).
 */
import type { Db, Tx } from '../platform/db.js';
import type { Purpose } from './repository.js';

/** The channels that reach a customer and need their consent (webhooks go to the business's own systems). */
export type Channel = 'email' | 'sms';

/** True when the customer may receive a message of this purpose on this channel now. */
export type ConsentCheck = (
  db: Db | Tx,
  workspaceId: string,
  customerId: string,
  channel: Channel,
  purpose: Purpose,
) => Promise<boolean>;

export interface UnsubscribeRequest {
  workspaceId: string;
  /** The surviving profile (a merged one's unsubscribe is its survivor's). */
  customerId: string;
  /** The message whose link or header was used; for an SMS keyword, the latest SMS to that number (if any). */
  messageId: string | null;
  channel: Channel;
  purpose: 'marketing';
  at: Date;
  /** `one_click` (RFC 8058 POST by the mail client), `page` (the confirmation page's button) or `sms_keyword` (STOP). */
  via: 'one_click' | 'page' | 'sms_keyword';
  ip: string | null;
  userAgent: string | null;
  /** For `sms_keyword`: the keyword and the number it came from. */
  keyword?: string;
  phone?: string;
}

/** A customer asked to receive marketing again (an SMS START / UNSTOP). */
export interface ResubscribeRequest {
  workspaceId: string;
  customerId: string;
  channel: Channel;
  purpose: 'marketing';
  at: Date;
  via: 'sms_keyword';
  keyword: string;
  phone: string;
}

export type ResubscribeHook = (tx: Tx, request: ResubscribeRequest) => Promise<void>;

/** Runs in the transaction that records the `unsubscribed` event; a failing hook fails the request. */
export type UnsubscribeHook = (tx: Tx, request: UnsubscribeRequest) => Promise<void>;

let consentCheck: ConsentCheck | null = null;
const unsubscribeHooks = new Set<UnsubscribeHook>();
const resubscribeHooks = new Set<ResubscribeHook>();

/** Registers the consent check every marketing send asks first (one; registering again replaces it). Returns an undo that puts the previous one back. */
export function setConsentCheck(fn: ConsentCheck): () => void {
  const previous = consentCheck;
  consentCheck = fn;
  return () => {
    if (consentCheck === fn) consentCheck = previous;
  };
}

/** The registered consent check, if any. */
export function currentConsentCheck(): ConsentCheck | null {
  return consentCheck;
}

/** Calls `hook` for every unsubscribe request (from a link or a one-click POST). Returns an undo. */
export function onUnsubscribe(hook: UnsubscribeHook): () => void {
  unsubscribeHooks.add(hook);
  return () => {
    unsubscribeHooks.delete(hook);
  };
}

export async function runUnsubscribeHooks(tx: Tx, request: UnsubscribeRequest): Promise<void> {
  for (const hook of unsubscribeHooks) await hook(tx, request);
}

/** Calls `hook` for every resubscribe request (an SMS START). Returns an undo. */
export function onResubscribe(hook: ResubscribeHook): () => void {
  resubscribeHooks.add(hook);
  return () => {
    resubscribeHooks.delete(hook);
  };
}

export async function runResubscribeHooks(tx: Tx, request: ResubscribeRequest): Promise<void> {
  for (const hook of resubscribeHooks) await hook(tx, request);
}
