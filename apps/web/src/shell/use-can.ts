import type { Role } from '../api/session';
import { useCurrentSession } from './guards';

/**
 * Who may write what, mirroring the server's matrix (apps/server/src/access/permissions.ts) for the
 * screens that hide their write buttons. The server still refuses; this only keeps the page honest.
 */
const WRITERS = {
  sources: ['owner', 'admin'],
  imports: ['owner', 'admin', 'marketer'],
} as const satisfies Record<string, readonly Role[]>;

export type WritableResource = keyof typeof WRITERS;

/** True when the signed-in person's role may change `resource` in the current workspace. */
export function canWrite(role: Role | null, resource: WritableResource): boolean {
  return role !== null && (WRITERS[resource] as readonly Role[]).includes(role);
}

/** Whether the current person may change `resource` (show its create/edit buttons). */
export function useCanWrite(resource: WritableResource): boolean {
  return canWrite(useCurrentSession().role, resource);
}
