/** Ingest: sources and write keys, the Segment-compatible tracking API, raw events, quarantine, processing (DATA-2, DATA-3, DATA-8). */
import { registerAuditTargetLabels } from '../access/index.js';
import { onCustomersMerged, registerTimelineSource } from '../customers/index.js';
import * as repo from './repository.js';

export {
  type EventWarning,
  IngestProcessor,
  isProcessingBatch,
  onBatchFlush,
  onBatchProcessed,
  onEventProcessed,
  processAllPending,
  processPendingBatch,
} from './processor.js';
export { type EventRecord, findSourceById } from './repository.js';
export { ingestRoutes } from './routes.js';
export { parseItem } from './segment.js';
export { segmentRoutes } from './segment-routes.js';
export { CHANNELS, type Channel, createSource, ingest, listSources, sourceForWriteKey } from './service.js';

// A merged profile's events belong to the survivor.
onCustomersMerged('ingest', (tx, e) => repo.repointEvents(tx, e.workspaceId, e.mergedId, e.survivorId));

// Raw events on the customer timeline.
registerTimelineSource('events', async (db, q) => {
  const rows = await repo.customerEvents(db, q);
  return rows.map((e) => ({
    id: e.id,
    kind: 'event',
    type: e.type === 'track' ? `track:${e.event}` : e.type,
    at: e.timestamp,
    channel: e.channel,
    sourceId: e.source_id,
    title:
      e.type === 'track'
        ? (e.event as string)
        : e.type === 'page' || e.type === 'screen'
          ? `${e.type}: ${e.name ?? (e.properties as { path?: string } | null)?.path ?? ''}`
          : e.type,
    data: { properties: e.properties, traits: e.traits, messageId: e.message_id },
  }));
});

// Sources by name in the audit log.
registerAuditTargetLabels('source', 'src', async (db, workspaceId, ids) => {
  const rows = await repo.sourceNames(db, workspaceId, ids);
  return new Map(rows.map((s) => [s.id, s.name]));
});
