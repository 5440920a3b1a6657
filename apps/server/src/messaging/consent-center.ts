/**
 * Consent the customer gives themselves (PRV-1): double opt-in for email — a `pending` email
 * marketing consent sends a confirmation email whose link (`/c/…`) makes it `subscribed` — and a
 * preference center per customer (`/p/…`, a signed link in the footer of every marketing email
 * and available to staff), where they choose their marketing channels, in their language. And the
 * suppression list: addresses Kith does not send to (hard bounces, complaints, by hand).
 */
import { getWorkspaceOrThrow } from '../access/index.js';
import { getCustomerOrThrow } from '../customers/index.js';
import type { Db, Tx } from '../platform/db.js';
import { NotFoundError, UserError } from '../platform/errors.js';
import { render } from '../platform/messages.js';
import { type AppliedConsentChange, type ConsentChannel, getConsents, setConsent } from '../privacy/index.js';
import { mm } from './messages.js';
import * as repo from './repository.js';
import { customerLanguage, type MessagingRuntime, preferencesUrl, sendEmail } from './service.js';
import { verifyToken } from './tokens.js';

// ── double opt-in ──

/**
 * Run in the transaction of a consent change: email marketing became `pending`, so the
 * confirmation email is queued (transactional: the person asked for it). One per change.
 */
export async function requestConfirmation(tx: Tx, c: AppliedConsentChange): Promise<void> {
  if (c.channel !== 'email' || c.purpose !== 'marketing' || c.status !== 'pending' || c.previous === 'pending') return;
  const customer = await getCustomerOrThrow(tx, c.workspaceId, c.customerId);
  const workspace = await getWorkspaceOrThrow(tx, c.workspaceId);
  const lang = customerLanguage((customer.traits ?? {}) as Record<string, unknown>, workspace.locale);
  await sendEmail(tx, c.workspaceId, {
    customerId: customer.id,
    purpose: 'transactional',
    idempotencyKey: `double-opt-in:${customer.id}:${c.at.toISOString()}`,
    // The business name is data, not Liquid.
    subject: `{% raw %}${render(mm('optin_subject', { business: workspace.name }), lang)}{% endraw %}`,
    html: `<p>${render(mm('optin_body'), lang)}</p><p><a href="{{ confirm_url }}">${render(mm('optin_button'), lang)}</a></p><p>${render(mm('optin_ignore'), lang)}</p>`,
    data: { doubleOptIn: true },
  });
}

export interface PublicMeta {
  ip: string | null;
  userAgent: string | null;
}

async function personOf(db: Db, workspaceId: string, customerId: string) {
  let customer: Awaited<ReturnType<typeof getCustomerOrThrow>>;
  try {
    customer = await getCustomerOrThrow(db, workspaceId, customerId);
  } catch {
    return null;
  }
  const workspace = await getWorkspaceOrThrow(db, workspaceId);
  return {
    workspaceId,
    customerId: customer.id,
    business: workspace.name,
    email: customer.email ?? '',
    language: customerLanguage((customer.traits ?? {}) as Record<string, unknown>, workspace.locale),
  };
}

/** Who a confirmation link is for; null for a bad token. */
export async function confirmationTarget(db: Db, secret: string, token: string) {
  const t = verifyToken(secret, 'd', token);
  if (!t) return null;
  if (!(await repo.findMessage(db, t.workspaceId, t.messageId))) return null;
  const who = await personOf(db, t.workspaceId, t.customerId);
  return who ? { ...who, messageId: t.messageId } : null;
}

/** The confirmation (a POST: link scanners only GET): email marketing `subscribed`, with the evidence. */
export async function confirmSubscription(db: Db, secret: string, token: string, meta: PublicMeta) {
  const target = await confirmationTarget(db, secret, token);
  if (!target) return null;
  await db.transaction().execute((tx) =>
    setConsent(tx, target.workspaceId, target.customerId, {
      channel: 'email',
      purpose: 'marketing',
      status: 'subscribed',
      source: 'double_opt_in',
      evidence: { messageId: target.messageId, ip: meta.ip, userAgent: meta.userAgent },
      at: new Date(),
    }),
  );
  return target;
}

// ── the preference center ──

/** Who a preference link is for, with their marketing consent per channel; null for a bad token. */
export async function preferencesTarget(db: Db, secret: string, token: string) {
  const t = verifyToken(secret, 'p', token);
  if (!t) return null;
  const who = await personOf(db, t.workspaceId, t.customerId);
  if (!who) return null;
  const consents = (await getConsents(db, who.workspaceId, who.customerId)).filter((c) => c.purpose === 'marketing');
  return { ...who, channels: consents.map((c) => ({ channel: c.channel, status: c.status })) };
}

/**
 * Saves the choices: a ticked channel becomes `subscribed`, an unticked one that was subscribed
 * or pending becomes `unsubscribed` (one never chosen stays unknown). Returns the target.
 */
export async function savePreferences(db: Db, secret: string, token: string, chosen: Set<string>, meta: PublicMeta) {
  const target = await preferencesTarget(db, secret, token);
  if (!target) return null;
  const at = new Date();
  await db.transaction().execute(async (tx) => {
    for (const c of target.channels) {
      const want = chosen.has(c.channel);
      const status = want ? 'subscribed' : c.status === 'subscribed' || c.status === 'pending' ? 'unsubscribed' : null;
      if (!status || status === c.status) continue;
      await setConsent(tx, target.workspaceId, target.customerId, {
        channel: c.channel as ConsentChannel,
        purpose: 'marketing',
        status,
        source: 'preference_center',
        evidence: { ip: meta.ip, userAgent: meta.userAgent },
        at,
      });
    }
  });
  return preferencesTarget(db, secret, token);
}

/** The signed preference center link of a customer, for staff to share. */
export async function preferencesLink(db: Db, rt: MessagingRuntime, workspaceId: string, customerId: string) {
  const c = await getCustomerOrThrow(db, workspaceId, customerId);
  return { customerId: c.id, url: preferencesUrl(rt, workspaceId, c.id) };
}

// ── the suppression list ──

function suppressionView(s: repo.SuppressionRow) {
  return {
    address: s.address,
    reason: s.reason,
    detail: s.detail,
    messageId: s.message_id,
    createdAt: s.created_at.toISOString(),
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export async function listSuppressions(db: Db, workspaceId: string, q: { limit: number; address?: string }) {
  return { items: (await repo.listSuppressions(db, workspaceId, q)).map(suppressionView) };
}

/** Adds an address by hand or as a complaint (marketing stops; a hard bounce stops everything). */
export async function addSuppression(
  db: Db,
  workspaceId: string,
  body: { address: string; reason: 'complaint' | 'manual'; detail?: string | null },
) {
  const address = body.address.trim().toLowerCase();
  if (!EMAIL.test(address)) throw new UserError(400, 'invalid_request', mm('suppression_address'), 'address');
  const row = await repo.suppress(db, {
    workspace_id: workspaceId,
    address,
    reason: body.reason,
    detail: body.detail ?? null,
    message_id: null,
  });
  return suppressionView(row as repo.SuppressionRow);
}

export async function removeSuppression(db: Db, workspaceId: string, address: string) {
  if (!(await repo.unsuppress(db, workspaceId, address.trim())))
    throw new NotFoundError(mm('suppression_not_found'), 'address');
}
