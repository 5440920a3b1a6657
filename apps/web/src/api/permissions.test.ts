import { describe, expect, it } from 'vitest';
import { can, canAssignRole, PERMISSIONS, type Resource } from './permissions';
import type { Role } from './session';

const ROLES: Role[] = ['owner', 'admin', 'marketer', 'agent', 'analyst'];

interface ServerPermissions {
  RESOURCES: Record<string, unknown>;
  roleAllows(role: Role, permission: string): boolean;
  canAssignRole(actor: Role, target: Role): boolean;
}

// Loaded at run time so the web build never compiles server code.
const serverModule = '../../../server/src/access/permissions.ts';

describe('the web permission helper', () => {
  it('mirrors the server matrix for every resource, role and action', async () => {
    const server = (await import(/* @vite-ignore */ serverModule)) as ServerPermissions;
    expect(Object.keys(PERMISSIONS).sort()).toEqual(Object.keys(server.RESOURCES).sort());
    for (const resource of Object.keys(PERMISSIONS) as Resource[]) {
      for (const role of ROLES) {
        for (const action of ['read', 'write'] as const) {
          expect(can(role, resource, action), `${role} ${resource}:${action}`).toBe(
            server.roleAllows(role, `${resource}:${action}`),
          );
        }
      }
    }
    for (const actor of ROLES) {
      for (const target of ROLES) expect(canAssignRole(actor, target)).toBe(server.canAssignRole(actor, target));
    }
  });

  it('allows nothing without a role', () => {
    expect(can(null, 'customers', 'read')).toBe(false);
    expect(can(undefined, 'workspace', 'read')).toBe(false);
    expect(canAssignRole(null, 'analyst')).toBe(false);
  });

  it('keeps the analyst read-only everywhere', () => {
    for (const resource of Object.keys(PERMISSIONS) as Resource[])
      expect(can('analyst', resource, 'write')).toBe(false);
  });
});
