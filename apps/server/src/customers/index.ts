/** Customers: one profile per customer, its identifiers, traits, merges and companies (DATA-1, DATA-4, DATA-5). */
import { registerAuditTargetLabels } from '../access/index.js';
import * as repo from './repository.js';

export { type Identifier, type IdentifierKind, IdentifierSet, normalizeEmail, normalizePhone } from './identifiers.js';
export { addTagsByIdentifier, lookupCustomer } from './profiles.js';
export { survivorsOf } from './repository.js';
export { IdentityResolver } from './resolver.js';
export { customersRoutes } from './routes.js';
export {
  customersOnDates,
  findLiveCustomers,
  getCustomerOrThrow,
  linkToCompany,
  lockWorkspaceIdentity,
  type MergeEvent,
  mergeCustomers,
  type OrderFacts,
  onCustomersMerged,
  type ResolveResult,
  resolveIdentity,
  setOrderFacts,
  setOrderFactsMany,
  tagCustomers,
  tryLockWorkspaceIdentity,
  updateTraits,
} from './service.js';
export {
  readTimeline,
  registerTimelineSource,
  type TimelineItem,
  type TimelineQuery,
  type TimelineSource,
  timelineSources,
} from './timeline.js';

// Profiles and saved views by name in the audit log.
registerAuditTargetLabels('customer', 'cus', async (db, workspaceId, ids) => {
  const rows = await repo.customerNames(db, workspaceId, ids);
  return new Map(
    rows.flatMap((c) => {
      const label = [c.first_name, c.last_name].filter(Boolean).join(' ').trim() || c.email || c.phone;
      return label ? [[c.id, label] as const] : [];
    }),
  );
});
registerAuditTargetLabels('customer_view', 'cvw', async (db, workspaceId, ids) => {
  const rows = await repo.viewNames(db, workspaceId, ids);
  return new Map(rows.map((v) => [v.id, v.name]));
});
