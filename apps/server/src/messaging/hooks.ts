/**
 * Where consent plugs into messaging without messaging importing it: the privacy domain
 * registers the consent check and listens to unsubscribes. Until a check is registered no
 * marketing message goes out (they are skipped with `no_consent_check`).
 */
import type { Db, Tx } from '../platform/db.js';
import type { Purpose } from './repository.js';

export type Channel = 'email';

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
  /** The message whose link or header was used. */
  messageId: string;
  channel: Channel;
  purpose: 'marketing';
  at: Date;
  /** `one_click` (RFC 8058 POST by the mail client) or `page` (the confirmation page's button). */
  via: 'one_click' | 'page';
  ip: string | null;
  userAgent: string | null;
}

/** Runs in the transaction that records the `unsubscribed` event; a failing hook fails the request. */
export type UnsubscribeHook = (tx: Tx, request: UnsubscribeRequest) => Promise<void>;

let consentCheck: ConsentCheck | null = null;
const unsubscribeHooks = new Set<UnsubscribeHook>();

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
