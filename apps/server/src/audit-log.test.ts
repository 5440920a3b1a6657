import { beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from './access/index.js';
import { addMember, createKey, createTestApp, setupOwner, type TestApp } from './testing/app.js';

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t, 'Panadería Sol');
});

function multipartCsv(name: string, csv: string, fields: Record<string, string>) {
  const boundary = '----kithaudit';
  const parts = Object.entries(fields).map(
    ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  );
  parts.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n`,
    `--${boundary}--\r\n`,
  );
  return {
    body: Buffer.from(parts.join('')),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

type Entry = { action: string; targetId: string | null; targetKind: string | null; targetLabel: string | null };

async function auditLog(auth: typeof owner.auth): Promise<Entry[]> {
  const res = await t.req('GET', '/api/v1/audit-log?limit=200', { auth });
  expect(res.statusCode).toBe(200);
  return res.json().data;
}

describe('audit log target names', () => {
  it('names each target by what a person calls it, looked up per page', async () => {
    const a = owner.auth;
    const source = (
      await t.req('POST', '/api/v1/sources', { auth: a, body: { name: 'Tienda web', channel: 'web' } })
    ).json();
    const customer = (
      await t.req('POST', '/api/v1/customers', {
        auth: a,
        body: { email: 'rosa@example.com', traits: { firstName: 'Rosa', lastName: 'Pérez' } },
      })
    ).json();
    const anonymous = (
      await t.req('POST', '/api/v1/customers', { auth: a, body: { email: 'solo@example.com' } })
    ).json();
    const view = (
      await t.req('POST', '/api/v1/customers/views', { auth: a, body: { name: 'Clientes fieles' } })
    ).json();
    const key = await createKey(t, a, ['read'], 'Script de Zapier');
    const member = await addMember(t, a, 'analyst');
    expect(
      (await t.req('PATCH', `/api/v1/members/${member.userId}`, { auth: a, body: { role: 'marketer' } })).statusCode,
    ).toBe(200);
    expect((await t.req('PATCH', '/api/v1/workspace', { auth: a, body: { currency: 'EUR' } })).statusCode).toBe(200);
    const upload = multipartCsv('clientes-marzo.csv', 'email\nx@example.com\n', {
      kind: 'customers',
      mapping: JSON.stringify({ email: 'email' }),
    });
    const imp = await t.req('POST', '/api/v1/imports', { auth: a, body: upload.body, headers: upload.headers });
    expect(imp.statusCode).toBe(202);

    const log = await auditLog(a);
    const byTarget = (id: string) => log.find((e) => e.targetId === id);
    expect(byTarget(source.id)).toMatchObject({ targetKind: 'source', targetLabel: 'Tienda web' });
    expect(byTarget(customer.id)).toMatchObject({ targetKind: 'customer', targetLabel: 'Rosa Pérez' });
    expect(byTarget(anonymous.id)).toMatchObject({ targetKind: 'customer', targetLabel: 'solo@example.com' });
    expect(byTarget(view.id)).toMatchObject({ targetKind: 'customer_view', targetLabel: 'Clientes fieles' });
    expect(byTarget(key.id)).toMatchObject({ targetKind: 'api_key', targetLabel: 'Script de Zapier' });
    expect(byTarget(member.userId)).toMatchObject({
      action: 'member.update',
      targetKind: 'member',
      targetLabel: `analyst (${member.email})`,
    });
    expect(byTarget(owner.workspaceId)).toMatchObject({ targetKind: 'workspace', targetLabel: 'Panadería Sol' });
    expect(byTarget(imp.json().id)).toMatchObject({ targetKind: 'import', targetLabel: 'clientes-marzo.csv' });
    const invitation = log.find((e) => e.action === 'invitation.create');
    expect(invitation).toMatchObject({ targetKind: 'invitation', targetLabel: member.email });
    // Entries without a target have no label.
    expect(log.filter((e) => !e.targetId).every((e) => e.targetLabel === null && e.targetKind === null)).toBe(true);
  });

  it("names only the reader's own workspace's targets; others show their id", async () => {
    const mine = (
      await t.req('POST', '/api/v1/sources', { auth: owner.auth, body: { name: 'Secreta', channel: 'web' } })
    ).json();
    const myCustomer = (
      await t.req('POST', '/api/v1/customers', { auth: owner.auth, body: { email: 'privada@example.com' } })
    ).json();
    const myMember = await addMember(t, owner.auth, 'agent');
    const other = await switchToNewWorkspace();
    // Entries in the other workspace that point at this one's records (as a forged or stale id would).
    const ids = [mine.id, myCustomer.id, myMember.userId, owner.workspaceId, 'xyz_unknown'];
    for (const id of ids) {
      await recordAudit(t.ctx.db, {
        workspaceId: other.workspaceId,
        actor: { type: 'cli', label: 'test' },
        action: 'test.probe',
        targetType: 'probe',
        targetId: id,
      });
    }
    const log = (await auditLog(owner.auth)).filter((e) => e.action === 'test.probe');
    expect(log.map((e) => e.targetId).sort()).toEqual([...ids].sort());
    for (const e of log) expect(e.targetLabel).toBe(e.targetId);
    expect(log.find((e) => e.targetId === mine.id)?.targetKind).toBe('source');
    expect(log.find((e) => e.targetId === 'xyz_unknown')?.targetKind).toBeNull();
  });
});

/** A second business made by the owner, who then works in it (the log read is the new one's). */
async function switchToNewWorkspace() {
  const ws = await t.req('POST', '/api/v1/workspaces', { auth: owner.auth, body: { name: 'Gimnasio' } });
  expect(ws.statusCode).toBe(201);
  const switched = await t.req('POST', '/api/v1/session/workspace', {
    auth: owner.auth,
    body: { workspaceId: ws.json().id },
  });
  expect(switched.statusCode).toBe(200);
  return { workspaceId: ws.json().id as string };
}
