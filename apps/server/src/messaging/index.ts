/** Messaging: the email channel (SMTP per workspace, brand layout, Liquid templates), every message as a record, tracking and unsubscribes (AUT-3). */
import { onCustomersMerged, registerTimelineSource, type TimelineItem } from '../customers/index.js';
import { hasConsent, onConsentChanged, setConsent } from '../privacy/index.js';
import { requestConfirmation } from './consent-center.js';
import { onUnsubscribe, setConsentCheck } from './hooks.js';
import * as repo from './repository.js';
import { moveMessagesOnMerge } from './service.js';

export { consentCenterRoutes } from './consent-routes.js';
export {
  type Channel,
  type ConsentCheck,
  onUnsubscribe,
  setConsentCheck,
  type UnsubscribeHook,
  type UnsubscribeRequest,
} from './hooks.js';
export { registerMessagingJobs } from './jobs.js';
export {
  countRecentMarketing,
  type QueuedEmail,
  queueEmails,
  summarizeMessages,
  templateExists,
} from './queue-many.js';
export type { MessageStatus, Purpose, Variant, Variants } from './repository.js';
export { messagingRoutes } from './routes.js';
export {
  deliverMessage,
  getEmailSettings,
  getMessageOrThrow,
  listCustomerMessages,
  type MessageView,
  type MessagingRuntime,
  SEND_QUEUE,
  type SendEmailInput,
  saveEmailSettings,
  saveTemplate,
  sendEmail,
  type TemplateInput,
} from './service.js';
export { templateRoutes } from './template-routes.js';
export { sendTemplateTest } from './templates.js';

// Consent (PRV-1): a marketing message goes out only with `subscribed` consent for its channel;
// an unsubscribe link or one-click header records `unsubscribed`, with the message as evidence.
setConsentCheck((db, workspaceId, customerId, channel, purpose) =>
  hasConsent(db, workspaceId, customerId, channel, purpose),
);
onUnsubscribe(async (tx, r) => {
  await setConsent(tx, r.workspaceId, r.customerId, {
    channel: r.channel,
    purpose: r.purpose,
    status: 'unsubscribed',
    source: 'unsubscribe_link',
    evidence: { messageId: r.messageId, via: r.via, ip: r.ip, userAgent: r.userAgent },
    at: r.at,
  });
});

// Double opt-in: email marketing consent that becomes `pending` sends the confirmation email.
onConsentChanged('messaging', requestConfirmation);

// A merged profile's messages (and their events) belong to the survivor.
onCustomersMerged('messaging', moveMessagesOnMerge);

const TIMELINE_TYPES = ['sent', 'failed', 'skipped', 'opened', 'clicked', 'unsubscribed', 'delivered', 'bounced'];
const TITLES: Record<string, string> = {
  sent: 'Email sent',
  failed: 'Email failed',
  skipped: 'Email not sent',
  opened: 'Email opened',
  clicked: 'Link clicked in email',
  unsubscribed: 'Unsubscribed from emails',
  delivered: 'Email delivered',
  bounced: 'Email bounced',
};

// What happened to each message on the customer timeline: sent, failed, skipped, opened, clicked, …
registerTimelineSource('messages', async (db, q) => {
  if (q.channels?.length && !q.channels.includes('email')) return [];
  const types = TIMELINE_TYPES.filter(
    (t) => !q.types?.length || q.types.some((w) => `message.${t}` === w || `message.${t}`.startsWith(`${w}:`)),
  );
  if (!types.length) return [];
  const rows = await repo.timelineEvents(db, { ...q, types });
  return rows.map(
    (e): TimelineItem => ({
      id: e.id,
      kind: 'message',
      type: `message.${e.type}`,
      at: e.at,
      channel: e.channel,
      sourceId: null,
      title: e.subject ? `${TITLES[e.type] ?? e.type}: ${e.subject}` : (TITLES[e.type] ?? e.type),
      data: {
        messageId: e.message_id,
        subject: e.subject,
        purpose: e.purpose,
        ...(e.reason ? { reason: e.reason } : {}),
        ...(e.url ? { url: e.url } : {}),
      },
    }),
  );
});
