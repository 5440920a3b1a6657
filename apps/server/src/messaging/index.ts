/**
 * Messaging (AUT-3): email (SMTP per workspace, brand layout, Liquid templates), SMS (a provider
 * interface: Twilio-compatible HTTP or `log`), outgoing webhooks (signed, retried, logged); every
 * message as a record, tracking, unsubscribes and SMS STOP/START.
 */
import { onCustomersMerged, registerTimelineSource, type TimelineItem } from '../customers/index.js';
import { hasConsent, onConsentChanged, setConsent } from '../privacy/index.js';
import { requestConfirmation } from './consent-center.js';
import { onResubscribe, onUnsubscribe, setConsentCheck } from './hooks.js';
import * as repo from './repository.js';
import { moveMessagesOnMerge } from './service.js';

export { consentCenterRoutes } from './consent-routes.js';
export {
  type Channel,
  type ConsentCheck,
  onResubscribe,
  onUnsubscribe,
  type ResubscribeHook,
  type ResubscribeRequest,
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
export { type SmsLength, smsLength, verifyTwilioSignature } from './sms.js';
export { deliverSms, type SendSmsInput, SMS_QUEUE, sendSms } from './sms-service.js';
export { templateRoutes } from './template-routes.js';
export { sendTemplateTest } from './templates.js';
export { verifySignature as verifyWebhookSignature } from './webhooks.js';
export {
  createWebhookEndpoint,
  deliverWebhook,
  type SendWebhookInput,
  sendWebhook,
  WEBHOOK_QUEUE,
  type WebhookEndpointView,
} from './webhooks-service.js';

// Consent (PRV-1): a marketing message goes out only with `subscribed` consent for its channel;
// an unsubscribe link, one-click header or SMS STOP records `unsubscribed` (START `subscribed`),
// with the message or the keyword as evidence.
setConsentCheck((db, workspaceId, customerId, channel, purpose) =>
  hasConsent(db, workspaceId, customerId, channel, purpose),
);
onUnsubscribe(async (tx, r) => {
  await setConsent(tx, r.workspaceId, r.customerId, {
    channel: r.channel,
    purpose: r.purpose,
    status: 'unsubscribed',
    source: r.via === 'sms_keyword' ? 'sms_keyword' : 'unsubscribe_link',
    evidence:
      r.via === 'sms_keyword'
        ? { messageId: r.messageId, via: r.via, keyword: r.keyword ?? null, phone: r.phone ?? null }
        : { messageId: r.messageId, via: r.via, ip: r.ip, userAgent: r.userAgent },
    at: r.at,
  });
});
onResubscribe(async (tx, r) => {
  await setConsent(tx, r.workspaceId, r.customerId, {
    channel: r.channel,
    purpose: r.purpose,
    status: 'subscribed',
    source: 'sms_keyword',
    evidence: { via: r.via, keyword: r.keyword, phone: r.phone },
    at: r.at,
  });
});

// Double opt-in: email marketing consent that becomes `pending` sends the confirmation email.
onConsentChanged('messaging', requestConfirmation);

// A merged profile's messages (and their events) belong to the survivor.
onCustomersMerged('messaging', moveMessagesOnMerge);

const TIMELINE_TYPES = [
  'sent',
  'failed',
  'skipped',
  'opened',
  'clicked',
  'unsubscribed',
  'delivered',
  'undelivered',
  'bounced',
];
const CHANNELS = ['email', 'sms', 'webhook'] as const;
const TITLES: Record<(typeof CHANNELS)[number], Record<string, string>> = {
  email: {
    sent: 'Email sent',
    failed: 'Email failed',
    skipped: 'Email not sent',
    opened: 'Email opened',
    clicked: 'Link clicked in email',
    unsubscribed: 'Unsubscribed from emails',
    delivered: 'Email delivered',
    bounced: 'Email bounced',
  },
  sms: {
    sent: 'SMS sent',
    failed: 'SMS failed',
    skipped: 'SMS not sent',
    delivered: 'SMS delivered',
    undelivered: 'SMS undelivered',
    unsubscribed: 'Unsubscribed from SMS',
  },
  webhook: {
    failed: 'Webhook failed',
    skipped: 'Webhook not sent',
    delivered: 'Webhook delivered',
  },
};

// What happened to each message on the customer timeline: sent, delivered, failed, skipped, opened, clicked, …
registerTimelineSource('messages', async (db, q) => {
  const channels = CHANNELS.filter((c) => !q.channels?.length || q.channels.includes(c));
  if (!channels.length) return [];
  const types = TIMELINE_TYPES.filter(
    (t) => !q.types?.length || q.types.some((w) => `message.${t}` === w || `message.${t}`.startsWith(`${w}:`)),
  );
  if (!types.length) return [];
  const rows = await repo.timelineEvents(db, { ...q, types, channels: [...channels] });
  return rows.map((e): TimelineItem => {
    const title = TITLES[e.channel as (typeof CHANNELS)[number]]?.[e.type] ?? `${e.channel} ${e.type}`;
    return {
      id: e.id,
      kind: 'message',
      type: `message.${e.type}`,
      at: e.at,
      channel: e.channel,
      sourceId: null,
      title: e.subject ? `${title}: ${e.subject}` : title,
      data: {
        messageId: e.message_id,
        subject: e.subject,
        purpose: e.purpose,
        ...(e.reason ? { reason: e.reason } : {}),
        ...(e.url ? { url: e.url } : {}),
      },
    };
  });
});
