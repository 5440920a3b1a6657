import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { addMember, authOf, createKey, createTestApp, setupOwner, type TestApp } from '../testing/app.js';

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
