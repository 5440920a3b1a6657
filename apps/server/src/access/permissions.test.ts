import { describe, expect, it } from 'vitest';
import { ROLES } from '../platform/context.js';
import { canAssignRole, isValidScope, RESOURCES, roleAllows, scopesAllow } from './permissions.js';

describe('permission matrix', () => {
  it('analyst reads data but never writes anything', () => {
    for (const r of Object.keys(RESOURCES)) expect(roleAllows('analyst', `${r}:write`), r).toBe(false);
    expect(roleAllows('analyst', 'jobs:read')).toBe(true);
    expect(roleAllows('analyst', 'audit:read')).toBe(false);
  });

  it('owner and admin may do everything the matrix lists', () => {
    for (const role of ['owner', 'admin'] as const) {
      for (const r of Object.keys(RESOURCES)) {
        expect(roleAllows(role, `${r}:read`)).toBe(true);
        if (r !== 'audit') expect(roleAllows(role, `${r}:write`)).toBe(true);
      }
    }
  });

  it('every role can read the workspace and the member list', () => {
    for (const role of ROLES) {
      expect(roleAllows(role, 'workspace:read')).toBe(true);
      expect(roleAllows(role, 'members:read')).toBe(true);
    }
  });

  it('scopes: read < write on data; admin for administration; per-resource scopes', () => {
    expect(scopesAllow(['read'], 'jobs:read')).toBe(true);
    expect(scopesAllow(['read'], 'jobs:write')).toBe(false);
    expect(scopesAllow(['write'], 'jobs:read')).toBe(true);
    expect(scopesAllow(['write'], 'api_keys:read')).toBe(false);
    expect(scopesAllow(['admin'], 'api_keys:write')).toBe(true);
    expect(scopesAllow(['read'], 'workspace:read')).toBe(true);
    expect(scopesAllow(['write'], 'workspace:write')).toBe(false);
    expect(scopesAllow(['jobs:write'], 'jobs:read')).toBe(true);
    expect(scopesAllow(['jobs:read'], 'workspace:read')).toBe(false);
  });

  it('validates scope names and refuses unknown permissions loudly', () => {
    expect(isValidScope('read')).toBe(true);
    expect(isValidScope('jobs:write')).toBe(true);
    expect(isValidScope('jobs:delete')).toBe(false);
    expect(isValidScope('nope:read')).toBe(false);
    expect(() => roleAllows('owner', 'nope:read')).toThrow(/Unknown permission/);
  });

  it('only owners touch the owner role', () => {
    expect(canAssignRole('owner', 'owner')).toBe(true);
    expect(canAssignRole('admin', 'owner')).toBe(false);
    expect(canAssignRole('admin', 'analyst')).toBe(true);
    expect(canAssignRole('marketer', 'analyst')).toBe(false);
  });
});
