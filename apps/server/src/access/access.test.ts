import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Auth, addMember, authOf, createKey, createTestApp, setupOwner, type TestApp } from '../testing/app.js';

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t);
});

describe('first run', () => {
  it('reports setup as done and refuses a second setup', async () => {
    expect((await t.req('GET', '/api/v1/setup')).json()).toEqual({ needed: false });
    const again = await t.req('POST', '/api/v1/setup', {
      body: { workspaceName: 'Other', email: 'x@example.com', password: 'long enough password' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('already_set_up');
  });

  it('sets an httpOnly, SameSite=Lax session cookie and returns a CSRF token', async () => {
    const res = await t.req('POST', '/api/v1/auth/login', { body: { email: owner.email, password: owner.password } });
    expect(res.statusCode).toBe(200);
    const c = res.cookies.find((x) => x.name === 'kith_session');
    expect(c?.httpOnly).toBe(true);
    expect(c?.sameSite).toBe('Lax');
    expect(res.json().csrfToken).toMatch(/^[\w-]{20,}$/);
    expect(res.json().role).toBe('owner');
  });
});

describe('sessions', () => {
  it('requires the CSRF header on writes made with the cookie', async () => {
    const body = { name: 'no csrf', scopes: ['read'] };
    const without = await t.req('POST', '/api/v1/api-keys', { auth: { cookie: owner.auth.cookie }, body });
    expect(without.statusCode).toBe(403);
    expect(without.json().error).toMatchObject({ code: 'csrf', field: 'x-csrf-token' });
    const wrong = await t.req('POST', '/api/v1/api-keys', { auth: { cookie: owner.auth.cookie, csrf: 'nope' }, body });
    expect(wrong.statusCode).toBe(403);
  });

  it('rejects a tampered cookie and requests without credentials', async () => {
    expect((await t.req('GET', '/api/v1/session')).statusCode).toBe(401);
    const tampered = `${owner.auth.cookie?.slice(0, -3)}abc`;
    expect((await t.req('GET', '/api/v1/session', { auth: { cookie: tampered } })).statusCode).toBe(401);
  });

  it('signs out: the cookie no longer works', async () => {
    const login = await t.req('POST', '/api/v1/auth/login', { body: { email: owner.email, password: owner.password } });
    const auth = authOf(login);
    expect((await t.req('GET', '/api/v1/session', { auth })).statusCode).toBe(200);
    expect((await t.req('POST', '/api/v1/auth/logout', { auth })).statusCode).toBe(204);
    expect((await t.req('GET', '/api/v1/session', { auth })).statusCode).toBe(401);
  });

  it('switches between workspaces the person belongs to, and only those', async () => {
    const created = await t.req('POST', '/api/v1/workspaces', { auth: owner.auth, body: { name: 'Second shop' } });
    expect(created.statusCode).toBe(201);
    const sw = await t.req('POST', '/api/v1/session/workspace', {
      auth: owner.auth,
      body: { workspaceId: created.json().id },
    });
    expect(sw.json().workspace.name).toBe('Second shop');
    expect(sw.json().workspaces).toHaveLength(2);
    const back = await t.req('POST', '/api/v1/session/workspace', {
      auth: owner.auth,
      body: { workspaceId: owner.workspaceId },
    });
    expect(back.json().workspace.id).toBe(owner.workspaceId);
    const foreign = await t.req('POST', '/api/v1/session/workspace', {
      auth: owner.auth,
      body: { workspaceId: 'ws_nope' },
    });
    expect(foreign.statusCode).toBe(404);
  });

  it('changes the password and ends other sessions', async () => {
    const m = await addMember(t, owner.auth, 'marketer');
    const other = authOf(await t.req('POST', '/api/v1/auth/login', { body: { email: m.email, password: m.password } }));
    const res = await t.req('POST', '/api/v1/auth/password', {
      auth: m.auth,
      body: { currentPassword: m.password, newPassword: 'a brand new password' },
    });
    expect(res.statusCode).toBe(204);
    expect((await t.req('GET', '/api/v1/session', { auth: other })).statusCode).toBe(401);
    expect((await t.req('GET', '/api/v1/session', { auth: m.auth })).statusCode).toBe(200);
    const relog = await t.req('POST', '/api/v1/auth/login', {
      body: { email: m.email, password: 'a brand new password' },
    });
    expect(relog.statusCode).toBe(200);
  });
});

describe('login throttling', () => {
  it('slows and then locks out after repeated wrong passwords, even for the right one', async () => {
    const auth = { ip: '203.0.113.7' };
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await t.req('POST', '/api/v1/auth/login', {
        auth,
        body: { email: owner.email, password: `wrong ${i}` },
      });
      statuses.push(r.statusCode);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    const right = await t.req('POST', '/api/v1/auth/login', {
      auth,
      body: { email: owner.email, password: owner.password },
    });
    expect(right.statusCode).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    expect(right.json().error.code).toBe('rate_limited');
    // Another address is not locked out by this one.
    const elsewhere = await t.req('POST', '/api/v1/auth/login', {
      body: { email: owner.email, password: owner.password },
    });
    expect(elsewhere.statusCode).toBe(200);
  }, 60_000);

  it('answers the same for an unknown email as for a wrong password', async () => {
    const r = await t.req('POST', '/api/v1/auth/login', {
      auth: { ip: '198.51.100.1' },
      body: { email: 'nobody@example.com', password: 'whatever it is' },
    });
    expect(r.statusCode).toBe(401);
    expect(r.json().error).toMatchObject({ code: 'invalid_credentials', field: 'password' });
  });
});

describe('invitations', () => {
  it('invites by link; the invitee sets a password and joins with the role', async () => {
    const inv = await t.req('POST', '/api/v1/invitations', {
      auth: owner.auth,
      body: { email: 'Ana@Example.com ', role: 'agent' },
    });
    expect(inv.statusCode).toBe(400); // trailing space is not a valid email: named field
    expect(inv.json().error.field).toBe('email');
    const ok = await t.req('POST', '/api/v1/invitations', {
      auth: owner.auth,
      body: { email: 'Ana@Example.com', role: 'agent' },
    });
    expect(ok.statusCode).toBe(201);
    const { link, invitation } = ok.json();
    expect(link).toMatch(/^http:\/\/localhost:8080\/invite\/[\w-]+$/);
    expect(invitation).toMatchObject({ email: 'ana@example.com', role: 'agent', status: 'pending' });
    const token = link.split('/invite/')[1];
    const look = await t.req('GET', `/api/v1/invitations/lookup?token=${token}`);
    expect(look.json()).toMatchObject({ workspaceName: 'Bakery', email: 'ana@example.com', role: 'agent' });
    const acc = await t.req('POST', '/api/v1/invitations/accept', { body: { token, password: 'ana password 123' } });
    expect(acc.statusCode).toBe(200);
    expect(acc.json()).toMatchObject({ role: 'agent', workspace: { id: owner.workspaceId } });
    const reuse = await t.req('POST', '/api/v1/invitations/accept', { body: { token, password: 'ana password 123' } });
    expect(reuse.statusCode).toBe(409);
    const list = await t.req('GET', '/api/v1/invitations', { auth: owner.auth });
    expect(list.json().data.find((i: { id: string }) => i.id === invitation.id).status).toBe('accepted');
    // Joining and setting up both sign in, so both count as a sign-in.
    const members = (await t.req('GET', '/api/v1/members', { auth: owner.auth })).json().data;
    for (const email of ['ana@example.com', owner.email]) {
      expect(members.find((m: { email: string }) => m.email === email).lastLoginAt).not.toBeNull();
    }
  });

  it('an expired invitation says so and cannot be used', async () => {
    const ok = await t.req('POST', '/api/v1/invitations', {
      auth: owner.auth,
      body: { email: 'late@example.com', role: 'agent' },
    });
    const token = ok.json().link.split('/invite/')[1];
    await sql`update invitations set expires_at = now() - interval '1 minute' where id = ${ok.json().invitation.id}`.execute(
      t.ctx.db,
    );
    const look = await t.req('GET', `/api/v1/invitations/lookup?token=${token}`);
    expect(look.statusCode).toBe(410);
    expect(look.json().error).toMatchObject({ code: 'expired', field: 'token' });
    const acc = await t.req('POST', '/api/v1/invitations/accept', { body: { token, password: 'whatever long' } });
    expect(acc.statusCode).toBe(410);
    const list = await t.req('GET', '/api/v1/invitations', { auth: owner.auth });
    expect(list.json().data.find((i: { id: string }) => i.id === ok.json().invitation.id).status).toBe('expired');
  });

  it('a revoked invitation cannot be used', async () => {
    const ok = await t.req('POST', '/api/v1/invitations', {
      auth: owner.auth,
      body: { email: 'rev@example.com', role: 'analyst' },
    });
    const token = ok.json().link.split('/invite/')[1];
    const del = await t.req('DELETE', `/api/v1/invitations/${ok.json().invitation.id}`, { auth: owner.auth });
    expect(del.json().status).toBe('revoked');
    const acc = await t.req('POST', '/api/v1/invitations/accept', { body: { token, password: 'whatever long' } });
    expect(acc.statusCode).toBe(404);
  });

  it('an existing account joins a second workspace with its own password', async () => {
    const m = await addMember(t, owner.auth, 'analyst');
    const ws2 = await t.req('POST', '/api/v1/workspaces', { auth: owner.auth, body: { name: 'Third shop' } });
    await t.req('POST', '/api/v1/session/workspace', { auth: owner.auth, body: { workspaceId: ws2.json().id } });
    const inv = await t.req('POST', '/api/v1/invitations', {
      auth: owner.auth,
      body: { email: m.email, role: 'marketer' },
    });
    await t.req('POST', '/api/v1/session/workspace', { auth: owner.auth, body: { workspaceId: owner.workspaceId } });
    const token = inv.json().link.split('/invite/')[1];
    const wrong = await t.req('POST', '/api/v1/invitations/accept', { body: { token, password: 'not the password' } });
    expect(wrong.statusCode).toBe(401);
    const acc = await t.req('POST', '/api/v1/invitations/accept', { body: { token, password: m.password } });
    expect(acc.statusCode).toBe(200);
    expect(acc.json().workspaces).toHaveLength(2);
  });

  it('an admin cannot invite or make an owner; the last owner cannot be demoted', async () => {
    const admin = await addMember(t, owner.auth, 'admin');
    const inv = await t.req('POST', '/api/v1/invitations', {
      auth: admin.auth,
      body: { email: 'o2@example.com', role: 'owner' },
    });
    expect(inv.statusCode).toBe(403);
    const promote = await t.req('PATCH', `/api/v1/members/${admin.userId}`, {
      auth: admin.auth,
      body: { role: 'owner' },
    });
    expect(promote.statusCode).toBe(403);
    const demote = await t.req('PATCH', `/api/v1/members/${owner.userId}`, {
      auth: owner.auth,
      body: { role: 'admin' },
    });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().error.code).toBe('last_owner');
    const ok = await t.req('PATCH', `/api/v1/members/${admin.userId}`, {
      auth: owner.auth,
      body: { role: 'marketer' },
    });
    expect(ok.json().role).toBe('marketer');
  });

  it('removing a member ends their access to the workspace', async () => {
    const m = await addMember(t, owner.auth, 'agent');
    expect((await t.req('GET', '/api/v1/workspace', { auth: m.auth })).statusCode).toBe(200);
    expect((await t.req('DELETE', `/api/v1/members/${m.userId}`, { auth: owner.auth })).statusCode).toBe(204);
    expect((await t.req('GET', '/api/v1/workspace', { auth: m.auth })).statusCode).toBe(403);
    const session = await t.req('GET', '/api/v1/session', { auth: m.auth });
    expect(session.json()).toMatchObject({ workspace: null, role: null, workspaces: [] });
  });
});

describe('API keys', () => {
  it('is shown once, works as a Bearer token, honours scopes, and stops working when revoked', async () => {
    const { key, id } = await createKey(t, owner.auth, ['read']);
    expect(key).toMatch(/^kith_[0-9a-z]{26}_[\w-]{40,}$/);
    const list = (await t.req('GET', '/api/v1/api-keys', { auth: owner.auth })).json().data;
    const row = list.find((k: { id: string }) => k.id === id);
    expect(row.prefix).toBe(key.slice(0, 12));
    expect(JSON.stringify(list)).not.toContain(key.slice(12));
    const read = await t.req('GET', '/api/v1/jobs', { auth: { bearer: key } });
    expect(read.statusCode).toBe(200);
    const admin = await t.req('GET', '/api/v1/api-keys', { auth: { bearer: key } });
    expect(admin.statusCode).toBe(403);
    const after = (await t.req('GET', '/api/v1/api-keys', { auth: owner.auth }))
      .json()
      .data.find((k: { id: string }) => k.id === id);
    expect(after.lastUsedAt).not.toBeNull();
    expect((await t.req('DELETE', `/api/v1/api-keys/${id}`, { auth: owner.auth })).json().revokedAt).not.toBeNull();
    const revoked = await t.req('GET', '/api/v1/jobs', { auth: { bearer: key } });
    expect(revoked.statusCode).toBe(401);
  });

  it('rejects unknown scopes and garbage keys', async () => {
    const bad = await t.req('POST', '/api/v1/api-keys', {
      auth: owner.auth,
      body: { name: 'x', scopes: ['everything'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('scopes');
    for (const bearer of [
      'kith_nope',
      'kith_01aaaaaaaaaaaaaaaaaaaaaaaa_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      'x',
    ]) {
      expect((await t.req('GET', '/api/v1/jobs', { auth: { bearer } })).statusCode).toBe(401);
    }
  });

  it('an admin-scoped key manages keys but cannot reach session-only endpoints', async () => {
    const { key } = await createKey(t, owner.auth, ['admin']);
    const created = await t.req('POST', '/api/v1/api-keys', {
      auth: { bearer: key },
      body: { name: 'made by key', scopes: ['write'] },
    });
    expect(created.statusCode).toBe(201);
    expect((await t.req('GET', '/api/v1/session', { auth: { bearer: key } })).statusCode).toBe(403);
  });
});

describe('secrets at rest', () => {
  it('the database never holds a plaintext password or API key', async () => {
    const { key } = await createKey(t, owner.auth, ['read'], 'plaintext check');
    const secretPart = key.split('_').slice(2).join('_');
    const rows = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns
      where table_schema = current_schema() and data_type in ('text', 'jsonb', 'character varying')`.execute(t.ctx.db);
    const needles = [owner.password, 'ana password 123', 'another long password', secretPart, key];
    for (const { table_name, column_name } of rows.rows) {
      for (const needle of needles) {
        const found = await sql<{
          n: number;
        }>`select count(*)::int as n from ${sql.table(table_name)} where ${sql.ref(column_name)}::text like ${`%${needle}%`}`.execute(
          t.ctx.db,
        );
        expect(found.rows[0]?.n, `${table_name}.${column_name} holds a secret`).toBe(0);
      }
    }
    const hashes = await sql<{ password_hash: string }>`select password_hash from users`.execute(t.ctx.db);
    for (const h of hashes.rows) expect(h.password_hash).toMatch(/^\$argon2id\$/);
  });
});

describe('audit log', () => {
  it('records who changed what, from where, and lists it for owners and admins only', async () => {
    const { id } = await createKey(t, owner.auth, ['read'], 'audited');
    const log = await t.req('GET', '/api/v1/audit-log?action=api_key.create', { auth: owner.auth });
    const entry = log.json().data.find((e: { targetId: string }) => e.targetId === id);
    expect(entry).toMatchObject({
      actorType: 'user',
      actorId: owner.userId,
      actorLabel: owner.email,
      action: 'api_key.create',
      ip: '127.0.0.1',
    });
    expect(JSON.stringify(entry.details)).toContain('audited');
    const setup = await t.req('GET', '/api/v1/audit-log?action=workspace.setup', { auth: owner.auth });
    expect(setup.json().data).toHaveLength(1);
    const marketer = await addMember(t, owner.auth, 'marketer');
    expect((await t.req('GET', '/api/v1/audit-log', { auth: marketer.auth })).statusCode).toBe(403);
  });

  it('does not store passwords given in request bodies', async () => {
    const log = await t.req('GET', '/api/v1/audit-log?action=auth.password_change', { auth: owner.auth });
    expect(JSON.stringify(log.json())).not.toContain('a brand new password');
  });
});

describe('password reset by an owner or admin', () => {
  const tokenOf = (link: string) => link.split('/reset-password/')[1] as string;

  it('makes a one-time link; the new password works, the old one and every session end', async () => {
    const m = await addMember(t, owner.auth, 'marketer');
    const second = authOf(
      await t.req('POST', '/api/v1/auth/login', { body: { email: m.email, password: m.password } }),
    );
    const res = await t.req('POST', `/api/v1/members/${m.userId}/password-reset`, { auth: owner.auth });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ userId: m.userId, email: m.email });
    expect(body.link).toMatch(/^http:\/\/localhost:8080\/reset-password\/[\w-]{40,}$/);
    const hours = (Date.parse(body.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    const token = tokenOf(body.link);

    // Creating it changes nothing yet: the member is still signed in with the old password.
    expect((await t.req('GET', '/api/v1/session', { auth: m.auth })).statusCode).toBe(200);
    const look = await t.req('GET', `/api/v1/password-resets/lookup?token=${token}`);
    expect(look.statusCode).toBe(200);
    expect(look.json()).toMatchObject({ email: m.email, workspaceName: 'Bakery' });

    const short = await t.req('POST', '/api/v1/password-resets/complete', { body: { token, password: 'short' } });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.field).toBe('password');

    const done = await t.req('POST', '/api/v1/password-resets/complete', {
      body: { token, password: 'a reset password 1' },
    });
    expect(done.statusCode, done.body).toBe(204);
    expect(done.cookies.find((c) => c.name === 'kith_session')).toBeUndefined();
    for (const auth of [m.auth, second]) expect((await t.req('GET', '/api/v1/session', { auth })).statusCode).toBe(401);
    const old = await t.req('POST', '/api/v1/auth/login', {
      auth: { ip: '198.51.100.20' },
      body: { email: m.email, password: m.password },
    });
    expect(old.statusCode).toBe(401);
    const fresh = await t.req('POST', '/api/v1/auth/login', {
      body: { email: m.email, password: 'a reset password 1' },
    });
    expect(fresh.statusCode).toBe(200);

    // Once only.
    const again = await t.req('POST', '/api/v1/password-resets/complete', {
      body: { token, password: 'another reset pass' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'already_used', field: 'token' });
    expect((await t.req('GET', `/api/v1/password-resets/lookup?token=${token}`)).statusCode).toBe(409);

    // Audited on both sides, without the password or the token.
    const log = (await t.req('GET', '/api/v1/audit-log?action=', { auth: owner.auth })).json().data;
    const made = log.find((e: { action: string }) => e.action === 'member.password_reset');
    expect(made).toMatchObject({ actorId: owner.userId, targetId: m.userId });
    const used = log.find((e: { action: string }) => e.action === 'auth.password_reset');
    expect(used).toMatchObject({ actorId: m.userId, actorLabel: m.email });
    expect(JSON.stringify(log)).not.toContain('a reset password 1');
    expect(JSON.stringify(log)).not.toContain(token);
    const stored = await sql<{
      n: number;
    }>`select count(*)::int as n from password_resets where token_hash = ${token}`.execute(t.ctx.db);
    expect(stored.rows[0]?.n).toBe(0);
  });

  it('lifts a sign-in lockout of the person', async () => {
    const m = await addMember(t, owner.auth, 'agent');
    const ip = '203.0.113.50';
    for (let i = 0; i < 6; i++) {
      await t.req('POST', '/api/v1/auth/login', { auth: { ip }, body: { email: m.email, password: `nope ${i}` } });
    }
    const locked = await t.req('POST', '/api/v1/auth/login', {
      auth: { ip },
      body: { email: m.email, password: m.password },
    });
    expect(locked.statusCode).toBe(429);
    const link = (await t.req('POST', `/api/v1/members/${m.userId}/password-reset`, { auth: owner.auth })).json().link;
    await t.req('POST', '/api/v1/password-resets/complete', {
      body: { token: tokenOf(link), password: 'unlocked pass 22' },
    });
    const ok = await t.req('POST', '/api/v1/auth/login', {
      auth: { ip },
      body: { email: m.email, password: 'unlocked pass 22' },
    });
    expect(ok.statusCode).toBe(200);
  }, 60_000);

  it('a newer link replaces an older one; an expired link says so', async () => {
    const m = await addMember(t, owner.auth, 'agent');
    const first = (await t.req('POST', `/api/v1/members/${m.userId}/password-reset`, { auth: owner.auth })).json();
    const second = (await t.req('POST', `/api/v1/members/${m.userId}/password-reset`, { auth: owner.auth })).json();
    const stale = await t.req('GET', `/api/v1/password-resets/lookup?token=${tokenOf(first.link)}`);
    expect(stale.statusCode).toBe(410);
    expect(stale.json().error).toMatchObject({ code: 'expired', field: 'token' });
    await sql`update password_resets set expires_at = now() - interval '1 second' where id = ${second.id}`.execute(
      t.ctx.db,
    );
    const expired = await t.req('POST', '/api/v1/password-resets/complete', {
      body: { token: tokenOf(second.link), password: 'too late password' },
    });
    expect(expired.statusCode).toBe(410);
    expect((await t.req('GET', '/api/v1/session', { auth: m.auth })).statusCode).toBe(200);
    const unknown = await t.req('GET', '/api/v1/password-resets/lookup?token=not-a-real-token-at-all');
    expect(unknown.statusCode).toBe(404);
  });

  it('stops working when the person leaves the workspace before using it', async () => {
    const m = await addMember(t, owner.auth, 'agent');
    const link = (await t.req('POST', `/api/v1/members/${m.userId}/password-reset`, { auth: owner.auth })).json().link;
    await t.req('DELETE', `/api/v1/members/${m.userId}`, { auth: owner.auth });
    const res = await t.req('POST', '/api/v1/password-resets/complete', {
      body: { token: tokenOf(link), password: 'after leaving 123' },
    });
    expect(res.statusCode).toBe(404);
  });

  it('is for owners and admins, for people they may manage, never with an API key or for oneself', async () => {
    const admin = await addMember(t, owner.auth, 'admin');
    const agent = await addMember(t, owner.auth, 'agent');
    const coOwner = await addMember(t, owner.auth, 'owner');
    const reset = (auth: Auth, userId: string) => t.req('POST', `/api/v1/members/${userId}/password-reset`, { auth });

    expect((await reset(admin.auth, agent.userId)).statusCode).toBe(201);
    const adminOnOwner = await reset(admin.auth, coOwner.userId);
    expect(adminOnOwner.statusCode).toBe(403);
    expect(adminOnOwner.json().error.code).toBe('forbidden');
    expect((await reset(agent.auth, admin.userId)).statusCode).toBe(403);
    const self = await reset(owner.auth, owner.userId);
    expect(self.statusCode).toBe(400);
    expect(self.json().error.code).toBe('own_password');
    const { key } = await createKey(t, owner.auth, ['admin']);
    expect((await reset({ bearer: key }, agent.userId)).statusCode).toBe(403);
    expect((await reset(owner.auth, 'usr_nobody')).statusCode).toBe(404);
  });

  it('refuses a person who also belongs to a business the resetter cannot manage', async () => {
    // The agent founds a shop of their own; the Bakery's owner has no say there.
    const agent = await addMember(t, owner.auth, 'agent');
    await t.req('POST', '/api/v1/workspaces', { auth: agent.auth, body: { name: "Agent's own shop" } });
    const res = await t.req('POST', `/api/v1/members/${agent.userId}/password-reset`, { auth: owner.auth });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('other_workspace');
  });
});

describe('audit log filters', () => {
  it('filters by actor, action prefix and date range (days in the workspace time zone), and pages', async () => {
    const ws = await t.req('POST', '/api/v1/workspaces', {
      auth: owner.auth,
      body: { name: 'Audit shop', timezone: 'Pacific/Auckland' },
    });
    await t.req('POST', '/api/v1/session/workspace', { auth: owner.auth, body: { workspaceId: ws.json().id } });
    try {
      const admin = await addMember(t, owner.auth, 'admin');
      await createKey(t, admin.auth, ['read'], 'by admin');
      await createKey(t, owner.auth, ['read'], 'by owner');
      const all = (await t.req('GET', '/api/v1/audit-log', { auth: owner.auth })).json().data;
      const byAdmin = (await t.req('GET', `/api/v1/audit-log?actorId=${admin.userId}`, { auth: owner.auth })).json()
        .data;
      expect(byAdmin.length).toBeGreaterThan(0);
      expect(byAdmin.every((e: { actorId: string }) => e.actorId === admin.userId)).toBe(true);
      const keys = (await t.req('GET', '/api/v1/audit-log?action=api_key.', { auth: owner.auth })).json().data;
      expect(keys.map((e: { action: string }) => e.action)).toEqual(['api_key.create', 'api_key.create']);

      // Move two entries to known instants: 2025-03-09 23:30 and 2025-03-10 00:30 in Auckland (UTC+13).
      const [newest, second] = all as { id: string }[];
      await sql`update audit_log set created_at = '2025-03-09T10:30:00Z' where id = ${newest?.id}`.execute(t.ctx.db);
      await sql`update audit_log set created_at = '2025-03-09T11:30:00Z' where id = ${second?.id}`.execute(t.ctx.db);
      const day = async (q: string) =>
        (await t.req('GET', `/api/v1/audit-log?${q}`, { auth: owner.auth }))
          .json()
          .data.map((e: { id: string }) => e.id);
      expect(await day('from=2025-03-10&to=2025-03-10')).toEqual([second?.id]);
      expect(await day('from=2025-03-09&to=2025-03-09')).toEqual([newest?.id]);
      expect((await day('from=2025-03-09&to=2025-03-10')).sort()).toEqual([newest?.id, second?.id].sort());
      expect(await day('from=2025-03-09T11:00:00Z&to=2025-03-09T11:30:00Z')).toEqual([second?.id]);
      expect(await day('to=2025-03-08')).toEqual([]);
      const bad = await t.req('GET', '/api/v1/audit-log?from=yesterday', { auth: owner.auth });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.field).toBe('from');

      // Pages: `before` the last id of the previous page.
      const page1 = (await t.req('GET', '/api/v1/audit-log?limit=2', { auth: owner.auth })).json().data;
      const page2 = (await t.req('GET', `/api/v1/audit-log?limit=2&before=${page1[1].id}`, { auth: owner.auth })).json()
        .data;
      expect(page2[0].id < page1[1].id).toBe(true);

      const actions = (await t.req('GET', '/api/v1/audit-log/actions', { auth: owner.auth })).json().data;
      expect(actions).toEqual([...new Set(all.map((e: { action: string }) => e.action))].sort());
      expect(actions).toContain('api_key.create');
      const marketer = await addMember(t, owner.auth, 'marketer');
      expect((await t.req('GET', '/api/v1/audit-log/actions', { auth: marketer.auth })).statusCode).toBe(403);
    } finally {
      await t.req('POST', '/api/v1/session/workspace', { auth: owner.auth, body: { workspaceId: owner.workspaceId } });
    }
  });
});

describe('business profile', () => {
  it('owners and admins change name and defaults; others read them; bad values name the field', async () => {
    const admin = await addMember(t, owner.auth, 'admin');
    const res = await t.req('PATCH', '/api/v1/workspace', {
      auth: admin.auth,
      body: { defaultCountry: 'ES', currency: 'EUR', timezone: 'Europe/Madrid', locale: 'es-ES' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      defaultCountry: 'ES',
      currency: 'EUR',
      timezone: 'Europe/Madrid',
      locale: 'es-ES',
    });
    const session = (await t.req('GET', '/api/v1/session', { auth: owner.auth })).json();
    expect(session.workspace).toMatchObject({ currency: 'EUR', locale: 'es-ES' });
    const badTz = await t.req('PATCH', '/api/v1/workspace', { auth: owner.auth, body: { timezone: 'Mars/Olympus' } });
    expect(badTz.statusCode).toBe(400);
    expect(badTz.json().error.field).toBe('timezone');
    const agent = await addMember(t, owner.auth, 'agent');
    expect((await t.req('GET', '/api/v1/workspace', { auth: agent.auth })).json().currency).toBe('EUR');
    expect((await t.req('PATCH', '/api/v1/workspace', { auth: agent.auth, body: { name: 'x' } })).statusCode).toBe(403);
    await t.req('PATCH', '/api/v1/workspace', {
      auth: owner.auth,
      body: { defaultCountry: 'US', currency: 'USD', timezone: 'UTC', locale: 'en' },
    });
  });

  it('first-run setup stores the defaults it is given', async () => {
    const t2 = await createTestApp();
    const res = await t2.req('POST', '/api/v1/setup', {
      body: {
        workspaceName: 'Panadería',
        email: 'p@example.com',
        password: 'long enough password',
        defaultCountry: 'MX',
        currency: 'MXN',
        timezone: 'America/Mexico_City',
        locale: 'es-MX',
      },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().workspace).toMatchObject({
      defaultCountry: 'MX',
      currency: 'MXN',
      timezone: 'America/Mexico_City',
      locale: 'es-MX',
    });
  });
});
