/** Customers: one profile per customer, its identifiers, traits, merges and companies (DATA-1, DATA-4, DATA-5). */
export { type Identifier, type IdentifierKind, IdentifierSet, normalizeEmail, normalizePhone } from './identifiers.js';
export {
  getCustomerOrThrow,
  linkToCompany,
  lockWorkspaceIdentity,
  type MergeEvent,
  mergeCustomers,
  onCustomersMerged,
  type ResolveResult,
  resolveIdentity,
  setOrderFacts,
  tryLockWorkspaceIdentity,
  updateTraits,
} from './service.js';
export { registerTimelineSource, type TimelineItem, type TimelineQuery, timelineSources } from './timeline.js';
