/** Journeys: automated, durable, versioned customer journeys, playbooks and staff tasks (AUT-1, AUT-2). */
import { onCustomersMerged, registerTimelineSource, type TimelineItem } from '../customers/index.js';
import { onEventProcessed } from '../ingest/index.js';
import { sendSms, sendWebhook } from '../messaging/index.js';
import type { Db, Tx } from '../platform/db.js';
import { interestingEvents } from './engine.js';
import * as repo from './repository.js';
import { registerChannelSender } from './senders.js';
import { isTimeZone } from './time.js';

export { intake, runDue, runWorkspace, scan } from './engine.js';
export { JourneyRunner } from './jobs.js';
export { installPlaybook, PLAYBOOKS } from './playbooks.js';
export { journeysRoutes } from './routes.js';
export { registerChannelSender } from './senders.js';
export { createJourney, customerJourneys, publishJourney } from './service.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/** The name journeys know an event by: a track call's event, `$identify` for identify calls. */
export const eventName = (e: { type: string; event: string | null }) =>
  e.type === 'track' ? e.event : e.type === 'identify' ? '$identify' : null;

// Events journeys care about (a trigger, a wait, a goal of an active journey) go to the journeys
// inbox in the transaction that processes them: nothing is missed, nothing else is written.
// Which names matter is read once per processing transaction.
const wanted = new WeakMap<Db | Tx, Promise<Set<string>>>();
onEventProcessed('journeys', async (tx, e, customerId) => {
  if (!customerId) return;
  const name = eventName(e);
  if (!name) return;
  let names = wanted.get(tx);
  if (!names) {
    names = interestingEvents(tx, e.workspace_id);
    wanted.set(tx, names);
  }
  if (!(await names).has(name)) return;
  const tz = obj(e.context).timezone;
  await repo.insertInbox(tx, [
    {
      workspace_id: e.workspace_id,
      customer_id: customerId,
      event: name,
      event_id: e.id,
      properties: e.type === 'identify' ? obj(e.traits) : obj(e.properties),
      timezone: isTimeZone(tz) ? tz : null,
      at: e.timestamp,
    },
  ]);
});

// A merged profile's journeys (and tasks) are the survivor's; inside the same journey twice, the
// merged one's enrollment ends.
onCustomersMerged('journeys', (tx, e) => repo.moveEnrollments(tx, e.workspaceId, e.mergedId, e.survivorId, new Date()));

const TIMELINE: Record<string, string> = {
  entered: 'Entered journey',
  holdout: 'Held out of journey',
  converted: 'Reached the goal of journey',
  goal: 'Reached the goal of journey',
  exited: 'Left journey',
  failed: 'Journey step failed',
};

// Entering a journey, reaching its goal, leaving it: on the customer timeline as `journey.<outcome>`.
registerTimelineSource('journeys', async (db, q) => {
  if (q.channels?.length) return [];
  const outcomes = Object.keys(TIMELINE).filter(
    (o) => !q.types?.length || q.types.some((w) => `journey.${o}` === w || `journey.${o}`.startsWith(`${w}:`)),
  );
  if (!outcomes.length) return [];
  const rows = await repo.timelineItems(db, { ...q, outcomes });
  return rows.map(
    (r): TimelineItem => ({
      id: r.id,
      kind: 'journey',
      type: `journey.${r.outcome}`,
      at: r.at,
      channel: null,
      sourceId: null,
      title: `${TIMELINE[r.outcome] ?? r.outcome}: ${r.journey_name}`,
      data: {
        journeyId: r.journey_id,
        node: r.node,
        ...(r.detail && typeof r.detail === 'object' ? { detail: r.detail } : {}),
      },
    }),
  );
});

// The SMS and webhook channels of send steps: messaging's functions, in the engine's transaction
// (the message and its job commit with the step), keyed per enrollment step like emails.
registerChannelSender('sms', async (tx, workspaceId, r) => {
  const { message } = await sendSms(tx, workspaceId, {
    customerId: r.customerId,
    purpose: r.purpose,
    idempotencyKey: r.idempotencyKey,
    data: r.data,
    ...(r.node.templateKey ? { templateKey: r.node.templateKey } : { body: r.node.body ?? '' }),
  });
  return message.id;
});
registerChannelSender('webhook', async (tx, workspaceId, r) => {
  const { message } = await sendWebhook(tx, workspaceId, {
    endpointId: r.node.endpointId as string,
    customerId: r.customerId,
    purpose: r.purpose,
    idempotencyKey: r.idempotencyKey,
    payload: { ...(r.node.payload ?? {}), customerId: r.customerId, ...r.data },
  });
  return message.id;
});
