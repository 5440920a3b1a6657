/** Customers: one profile per customer, its identifiers, traits, merges and companies (DATA-1, DATA-4, DATA-5). */
export { type Identifier, type IdentifierKind, IdentifierSet, normalizeEmail, normalizePhone } from './identifiers.js';
export { addTagsByIdentifier, lookupCustomer } from './profiles.js';
export { IdentityResolver } from './resolver.js';
export { customersRoutes } from './routes.js';
export {
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
