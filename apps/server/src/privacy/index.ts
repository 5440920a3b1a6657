/** Privacy: consent per customer, channel and purpose, with its history (PRV-1). */
import { onCustomersMerged, registerTimelineSource, type TimelineItem } from '../customers/index.js';
import { onEventProcessed } from '../ingest/index.js';
import { consentsFromTraits } from './identify.js';
import { CHANNEL_NAMES, type ConsentEvidence } from './model.js';
import * as repo from './repository.js';
import { moveConsentsOnMerge, setConsent } from './service.js';

export {
  CONSENT_CHANNELS,
  CONSENT_PURPOSES,
  CONSENT_STATUSES,
  type ConsentActor,
  type ConsentChange,
  type ConsentChannel,
  type ConsentPurpose,
  type ConsentStatus,
} from './model.js';
export { privacyRoutes } from './routes.js';
export {
  type AppliedConsentChange,
  type ConsentView,
  consentedAmong,
  getConsents,
  hasConsent,
  onConsentChanged,
  setConsent,
} from './service.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const text = (v: unknown, max: number) => (typeof v === 'string' && v ? v.slice(0, max) : undefined);

// Consent carried by identify traits (docs/consent.md), in the transaction that processes the event.
onEventProcessed('privacy', async (tx, e, customerId) => {
  if (e.type !== 'identify' || !customerId) return;
  const { changes, warnings } = consentsFromTraits(obj(e.traits), e.timestamp);
  if (!changes.length) return warnings;
  const context = obj(e.context);
  const base: ConsentEvidence = { messageId: e.message_id, sourceId: e.source_id };
  const ip = text(context.ip, 100);
  const userAgent = text(context.userAgent, 500);
  if (ip) base.ip = ip;
  if (userAgent) base.userAgent = userAgent;
  // Identifies of a CSV import arrive through the workspace's import source.
  const source = e.channel === 'import' ? 'import' : 'identify';
  for (const c of changes) {
    await setConsent(tx, e.workspace_id, customerId, {
      channel: c.channel,
      purpose: c.purpose,
      status: c.status,
      source,
      evidence: { ...base, ...c.evidence },
      at: c.at,
    });
  }
  return warnings;
});

// A merged profile's consents (where newer) and their history belong to the survivor.
onCustomersMerged('privacy', moveConsentsOnMerge);

const PURPOSE_NAMES = { marketing: 'marketing', transactional: 'transactional' } as const;

// Each change on the customer's timeline: type `consent`, "Email marketing: subscribed".
registerTimelineSource('privacy', async (db, q) => {
  if (q.channels?.length) return [];
  if (q.types?.length && !q.types.some((t) => t === 'consent' || t.startsWith('consent:'))) return [];
  const rows = await repo.customerLog(db, q);
  return rows.map(
    (r): TimelineItem => ({
      id: r.id,
      kind: 'consent',
      type: 'consent',
      at: r.at,
      channel: null,
      sourceId: typeof r.evidence.sourceId === 'string' ? r.evidence.sourceId : null,
      title: `${CHANNEL_NAMES[r.channel]} ${PURPOSE_NAMES[r.purpose]}: ${r.status}`,
      data: {
        channel: r.channel,
        purpose: r.purpose,
        status: r.status,
        previous: r.previous_status,
        source: r.source,
        evidence: r.evidence,
        actor: { type: r.actor_type, id: r.actor_id },
      },
    }),
  );
});
