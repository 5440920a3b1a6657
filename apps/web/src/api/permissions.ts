import { type Role, useSession } from './session';

/**
 * Who may do what, for showing or hiding buttons. A copy of the server's matrix
 * (apps/server/src/access/permissions.ts, tested to stay equal): the server still decides and
 * answers 403, this only keeps people from seeing buttons that would fail.
 *
 * Usage, in any signed-in page:
 *
 *   const canEdit = useCan('customers', 'write');
 *   {canEdit ? <Button>Edit</Button> : null}
 *
 * Outside React (or for another role): `can(role, 'sources', 'write')`.
 * A new server resource is added here too (the test says which one is missing).
 */
export const PERMISSIONS = {
  workspace: { read: 'all', write: ['owner', 'admin'] },
  members: { read: 'all', write: ['owner', 'admin'] },
  invitations: { read: ['owner', 'admin'], write: ['owner', 'admin'] },
  api_keys: { read: ['owner', 'admin'], write: ['owner', 'admin'] },
  audit: { read: ['owner', 'admin'], write: [] },
  jobs: { read: ['owner', 'admin', 'analyst'], write: ['owner', 'admin'] },
  customers: { read: 'all', write: ['owner', 'admin', 'marketer', 'agent'] },
  sources: { read: 'all', write: ['owner', 'admin'] },
  commerce: { read: 'all', write: ['owner', 'admin', 'marketer'] },
  imports: { read: 'all', write: ['owner', 'admin', 'marketer'] },
  analytics: { read: 'all', write: ['owner', 'admin', 'marketer'] },
  segments: { read: 'all', write: ['owner', 'admin', 'marketer'] },
  channel_settings: { read: ['owner', 'admin', 'marketer'], write: ['owner', 'admin'] },
  messages: { read: 'all', write: ['owner', 'admin', 'marketer'] },
  journeys: { read: 'all', write: ['owner', 'admin', 'marketer'] },
  tasks: { read: 'all', write: ['owner', 'admin', 'marketer', 'agent'] },
  // Predictions: everyone reads scores and diagnostics; `write` is the API's `predictions:manage` (refit, fit CLV).
  predictions: { read: 'all', write: ['owner', 'admin', 'marketer'] },
} as const satisfies Record<string, { read: 'all' | readonly Role[]; write: readonly Role[] }>;

export type Resource = keyof typeof PERMISSIONS;
export type Action = 'read' | 'write';

/** True when `role` may `action` the `resource`; false without a role (no workspace). */
export function can(role: Role | null | undefined, resource: Resource, action: Action): boolean {
  if (!role) return false;
  const allowed: 'all' | readonly Role[] = PERMISSIONS[resource][action];
  return allowed === 'all' || allowed.includes(role);
}

/** Whether the signed-in person, in their current workspace, may `action` the `resource`. */
export function useCan(resource: Resource, action: Action): boolean {
  const { data: session } = useSession();
  return can(session?.role, resource, action);
}

/** Roles a person with `actorRole` may give or take away: only owners touch owners. */
export function canAssignRole(actorRole: Role | null | undefined, target: Role): boolean {
  if (actorRole === 'owner') return true;
  return actorRole === 'admin' && target !== 'owner';
}
