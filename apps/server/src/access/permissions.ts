import type { Actor, Role } from '../platform/context.js';

/**
 * The permission matrix, in one place (documented in docs/access.md). A permission is
 * `<resource>:<read|write>`. Each resource lists the roles that may read and write it, and
 * the API-key scope family it belongs to: `data` resources are reachable with the `read` /
 * `write` scopes (or `<resource>:read|write`), `admin` resources only with the `admin` scope.
 */
export const RESOURCES = {
  // Scripts may read the business profile (currency, time zone) with a plain `read` key.
  workspace: { read: 'all', write: ['owner', 'admin'], family: { read: 'data', write: 'admin' } },
  members: { read: 'all', write: ['owner', 'admin'], family: 'admin' },
  invitations: { read: ['owner', 'admin'], write: ['owner', 'admin'], family: 'admin' },
  api_keys: { read: ['owner', 'admin'], write: ['owner', 'admin'], family: 'admin' },
  audit: { read: ['owner', 'admin'], write: [], family: 'admin' },
  jobs: { read: ['owner', 'admin', 'analyst'], write: ['owner', 'admin'], family: 'data' },
  // Profiles, their traits, tags, notes, merges, exports and consent (privacy's /customers/{id}/consents).
  customers: { read: 'all', write: ['owner', 'admin', 'marketer', 'agent'], family: 'data' },
  // Sources (channels), write keys, the ingestion debugger and quarantine replay.
  sources: { read: 'all', write: ['owner', 'admin'], family: 'data' },
  // Orders, line items and the product catalogue.
  commerce: { read: 'all', write: ['owner', 'admin', 'marketer'], family: 'data' },
  // CSV imports and their reports.
  imports: { read: 'all', write: ['owner', 'admin', 'marketer'], family: 'data' },
  // KPIs, cohorts, attribution, RFM and lifecycle (read); marketing spend, goals, lifecycle thresholds (write).
  analytics: { read: 'all', write: ['owner', 'admin', 'marketer'], family: 'data' },
  // Segments: rules, static lists, refreshes (analysts read and preview).
  segments: { read: 'all', write: ['owner', 'admin', 'marketer'], family: 'data' },
  // Channel settings: the SMTP server (its password is write-only), sender and brand of emails.
  channel_settings: { read: ['owner', 'admin', 'marketer'], write: ['owner', 'admin'], family: 'admin' },
  // Messages sent to customers: their content, status and events (and, later, sending by hand).
  messages: { read: 'all', write: ['owner', 'admin', 'marketer'], family: 'data' },
  // Journeys and playbooks, their analytics and simulation, and the sending rules (quiet hours, caps).
  journeys: { read: 'all', write: ['owner', 'admin', 'marketer'], family: 'data' },
  // Tasks for the team (journeys make them); anyone who serves customers marks them done.
  tasks: { read: 'all', write: ['owner', 'admin', 'marketer', 'agent'], family: 'data' },
  // Predictions: scores with their reasons (agents see them too, SRV-6); refitting the models.
  predictions: { read: 'all', write: ['owner', 'admin', 'marketer'], family: 'data' },
} as const satisfies Record<
  string,
  { read: 'all' | readonly Role[]; write: readonly Role[]; family: Family | { read: Family; write: Family } }
>;
type Family = 'admin' | 'data';

export type Resource = keyof typeof RESOURCES;
export type Permission = `${Resource}:${'read' | 'write'}`;

export const API_KEY_SCOPES = ['read', 'write', 'admin'] as const;

/** Scopes an API key may be created with: read, write, admin, and `<resource>:read|write`. */
export function isValidScope(scope: string): boolean {
  if ((API_KEY_SCOPES as readonly string[]).includes(scope)) return true;
  const [res, level] = scope.split(':');
  return !!res && res in RESOURCES && (level === 'read' || level === 'write');
}

export function parsePermission(permission: string): { resource: Resource; level: 'read' | 'write' } {
  const [resource, level] = permission.split(':');
  if (!resource || !(resource in RESOURCES) || (level !== 'read' && level !== 'write')) {
    throw new Error(`Unknown permission "${permission}": add it to access/permissions.ts`);
  }
  return { resource: resource as Resource, level };
}

/** True when a role may use the permission. */
export function roleAllows(role: Role, permission: string): boolean {
  const { resource, level } = parsePermission(permission);
  const allowed = RESOURCES[resource][level];
  return allowed === 'all' || (allowed as readonly Role[]).includes(role);
}

/** True when an API key's scopes cover the permission. */
export function scopesAllow(scopes: readonly string[], permission: string): boolean {
  const { resource, level } = parsePermission(permission);
  if (scopes.includes(`${resource}:${level}`)) return true;
  if (level === 'read' && scopes.includes(`${resource}:write`)) return true;
  const f: Family | { read: Family; write: Family } = RESOURCES[resource].family;
  const family = typeof f === 'string' ? f : f[level];
  if (family === 'admin') return scopes.includes('admin');
  return scopes.includes(level) || (level === 'read' && scopes.includes('write'));
}

/** The single decision: may this actor use this permission in its current workspace? */
export function actorAllows(actor: Actor, permission: string): boolean {
  if (actor.type === 'api_key') return scopesAllow(actor.scopes, permission);
  return actor.role !== null && roleAllows(actor.role, permission);
}

/** Roles a person with `role` may grant or change (only owners touch owners). */
export function canAssignRole(actorRole: Role, target: Role): boolean {
  if (actorRole === 'owner') return true;
  return actorRole === 'admin' && target !== 'owner';
}
