/** Identity resolution end to end: events in through the tracking API, profiles out (DATA-4). */
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, setupOwner, type TestApp } from '../testing/app.js';
import { processAllPending, processPendingBatch } from './processor.js';

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;
const keys: Record<string, string> = {};

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
async function send(channel: string, path: string, body: unknown) {
  const r = await t.req('POST', path, {
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: basic(keys[channel] as string) },
  });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}
const process = () => processAllPending(t.ctx.db, owner.workspaceId);
async function profileOf(kind: string, value: string) {
  const r = await sql<{
    customer_id: string;
  }>`select customer_id from customer_identifiers where workspace_id = ${owner.workspaceId} and kind = ${kind} and value = ${value}`.execute(
    t.ctx.db,
  );
  return r.rows[0]?.customer_id;
}
async function customer(id: string) {
  const r = await sql<Record<string, unknown>>`select * from customers where id = ${id}`.execute(t.ctx.db);
  return r.rows[0] as Record<string, unknown> & {
    traits: Record<string, unknown>;
    channels: string[];
    merged_into: string | null;
  };
}
async function identifiersOf(id: string) {
  const r = await sql<{
    kind: string;
    value: string;
  }>`select kind, value from customer_identifiers where customer_id = ${id} order by kind, value`.execute(t.ctx.db);
  return r.rows.map((x) => `${x.kind}:${x.value}`);
}

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t);
  await t.req('PATCH', '/api/v1/workspace', { auth: owner.auth, body: { defaultCountry: 'ES' } });
  for (const [name, channel] of [
    ['Website', 'web'],
    ['Counter', 'store'],
    ['Shop', 'ecommerce'],
  ]) {
    const r = await t.req('POST', '/api/v1/sources', { auth: owner.auth, body: { name, channel } });
    keys[channel as string] = r.json().writeKey;
  }
});

describe('one person across channels', () => {
  it('anonymous visitor → newsletter email → counter purchase with phone → shop login: one profile, four identifiers, three channels', async () => {
    await send('web', '/v1/page', { anonymousId: 'a-77', name: 'Home', timestamp: '2026-01-01T10:00:00Z' });
    await send('web', '/v1/identify', {
      anonymousId: 'a-77',
      traits: { email: 'Lucia@Example.com ' },
      timestamp: '2026-01-02T10:00:00Z',
    });
    await send('store', '/v1/identify', {
      anonymousId: 'pos-9',
      traits: { phone: '612 345 678', email: 'lucia@example.com', firstName: 'Lucía' },
      timestamp: '2026-01-03T10:00:00Z',
    });
    await send('store', '/v1/track', {
      anonymousId: 'pos-9',
      event: 'Order Completed',
      properties: { total: 8.5 },
      timestamp: '2026-01-03T10:01:00Z',
    });
    await send('ecommerce', '/v1/identify', {
      userId: 'shop-501',
      anonymousId: 'a-77',
      traits: { email: 'lucia@example.com' },
      timestamp: '2026-01-04T10:00:00Z',
    });
    await process();

    const id = await profileOf('user_id', 'shop-501');
    expect(id).toBeDefined();
    for (const [k, v] of [
      ['anonymous_id', 'a-77'],
      ['email', 'lucia@example.com'],
      ['phone', '+34612345678'],
      ['anonymous_id', 'pos-9'],
    ]) {
      expect(await profileOf(k as string, v as string), `${k}=${v}`).toBe(id);
    }
    const ids = await identifiersOf(id as string);
    expect(ids).toEqual([
      'anonymous_id:a-77',
      'anonymous_id:pos-9',
      'email:lucia@example.com',
      'phone:+34612345678',
      'user_id:shop-501',
    ]);
    const c = await customer(id as string);
    expect(c.merged_into).toBeNull();
    expect([...c.channels].sort()).toEqual(['ecommerce', 'store', 'web']);
    expect(c.email).toBe('lucia@example.com');
    expect(c.phone).toBe('+34612345678');
    expect(c.first_name).toBe('Lucía');
    const events = await sql<{
      n: number;
      channels: number;
    }>`select count(*)::int as n, count(distinct channel)::int as channels from events where customer_id = ${id}`.execute(
      t.ctx.db,
    );
    expect(events.rows[0]).toEqual({ n: 5, channels: 3 });
    // Each step found the profile the one before made: nothing had to be merged.
    const merges = await sql<{
      n: number;
    }>`select count(*)::int as n from customer_merges where survivor_id = ${id}`.execute(t.ctx.db);
    expect(merges.rows[0]?.n).toBe(0);
  });

  it('an event that links two profiles merges them: the older survives, events and traits move, the merge names the event', async () => {
    await send('web', '/v1/identify', {
      anonymousId: 'a-88',
      traits: { email: 'marta@example.com', favourite: 'croissant' },
      timestamp: '2026-02-01T10:00:00Z',
    });
    await process();
    await send('store', '/v1/identify', {
      anonymousId: 'pos-10',
      traits: { phone: '699 000 111', firstName: 'Marta' },
      timestamp: '2026-02-02T10:00:00Z',
    });
    await send('store', '/v1/track', {
      anonymousId: 'pos-10',
      event: 'Order Completed',
      timestamp: '2026-02-02T10:05:00Z',
    });
    await process();
    const older = await profileOf('email', 'marta@example.com');
    const newer = await profileOf('phone', '+34699000111');
    expect(older).not.toBe(newer);
    const link = await send('ecommerce', '/v1/identify', {
      userId: 'shop-600',
      traits: { email: 'marta@example.com', phone: '+34 699 000 111' },
      timestamp: '2026-02-03T10:00:00Z',
    });
    expect(link.accepted).toBe(1);
    await process();
    expect(await profileOf('phone', '+34699000111')).toBe(older);
    expect(await profileOf('user_id', 'shop-600')).toBe(older);
    const gone = await customer(newer as string);
    expect(gone.merged_into).toBe(older);
    const survivor = await customer(older as string);
    expect(survivor.traits).toMatchObject({ favourite: 'croissant', firstName: 'Marta' });
    expect([...survivor.channels].sort()).toEqual(['ecommerce', 'store', 'web']);
    const events = await sql<{ n: number }>`select count(*)::int as n from events where customer_id = ${newer}`.execute(
      t.ctx.db,
    );
    expect(events.rows[0]?.n).toBe(0);
    const merges = await sql<{
      merged_id: string;
      reason: string;
      event_id: string;
      snapshot: { identifiers: unknown[] };
    }>`
      select merged_id, reason, event_id, snapshot from customer_merges where survivor_id = ${older}`.execute(t.ctx.db);
    expect(merges.rows).toHaveLength(1);
    expect(merges.rows[0]?.merged_id).toBe(newer);
    const cause = await sql<{
      user_id: string;
    }>`select user_id from events where id = ${merges.rows[0]?.event_id}`.execute(t.ctx.db);
    expect(cause.rows[0]?.user_id).toBe('shop-600');
    expect(merges.rows[0]?.snapshot.identifiers).toContainEqual({ kind: 'phone', value: '+34699000111' });
  });
});

describe('a merge inside a batch', () => {
  it("the batch's earlier events of the profile merged away end on the survivor, none on the tombstone", async () => {
    await send('web', '/v1/identify', {
      userId: 'u-batch',
      traits: { email: 'batch@example.com' },
      timestamp: '2026-03-01T10:00:00Z',
    });
    await process();
    const survivor = await profileOf('email', 'batch@example.com');
    // One batch: a visitor's page view (a new anonymous profile), then the login that links the
    // visitor to the known customer (the anonymous profile merges away).
    await send('web', '/v1/page', { anonymousId: 'anon-batch', name: 'Menu', timestamp: '2026-03-02T10:00:00Z' });
    await send('web', '/v1/identify', {
      anonymousId: 'anon-batch',
      userId: 'u-batch',
      timestamp: '2026-03-02T10:01:00Z',
    });
    expect(await processPendingBatch(t.ctx.db, owner.workspaceId)).toBe(2);
    const rows = await sql<{ type: string; customer_id: string; merged_into: string | null }>`
      select e.type, e.customer_id, c.merged_into from events e join customers c on c.id = e.customer_id
      where e.workspace_id = ${owner.workspaceId} and (e.anonymous_id = 'anon-batch' or e.user_id = 'u-batch')
      order by e.seq`.execute(t.ctx.db);
    expect(rows.rows.map((r) => [r.type, r.customer_id === survivor, r.merged_into])).toEqual([
      ['identify', true, null],
      ['page', true, null],
      ['identify', true, null],
    ]);
  });
});

describe('draining a backlog', () => {
  it('each batch starts after the last, and an event that committed late with a lower seq is found when the drain ends', async () => {
    const ws = owner.workspaceId;
    await process();
    const batch = Array.from({ length: 25 }, (_, i) => ({
      type: 'track',
      anonymousId: `drain-${i}`,
      event: 'Drained',
      timestamp: `2026-04-01T10:${String(i).padStart(2, '0')}:00Z`,
    }));
    await send('web', '/v1/batch', { batch });
    const seqs = (
      await sql<{
        seq: string;
      }>`select seq from events where workspace_id = ${ws} and event = 'Drained' order by seq`.execute(t.ctx.db)
    ).rows.map((r) => r.seq);
    expect(seqs).toHaveLength(25);
    const processedSeqs = async () =>
      (
        await sql<{
          seq: string;
        }>`select seq from events where workspace_id = ${ws} and event = 'Drained' and processed_at is not null order by seq`.execute(
          t.ctx.db,
        )
      ).rows.map((r) => r.seq);
    expect(await processPendingBatch(t.ctx.db, ws, 10)).toBe(10);
    expect(await processedSeqs()).toEqual(seqs.slice(0, 10));
    // As if the insert of the third event had committed only now, after the first batch passed it.
    await sql`update events set processed_at = null, customer_id = null where seq = ${seqs[2]}`.execute(t.ctx.db);
    expect(await processPendingBatch(t.ctx.db, ws, 10)).toBe(10);
    expect(await processedSeqs()).toEqual([...seqs.slice(0, 2), ...seqs.slice(3, 20)]);
    expect(await processPendingBatch(t.ctx.db, ws, 10)).toBe(5); // short: the drain ends
    expect(await processPendingBatch(t.ctx.db, ws, 10)).toBe(1); // from the start again
    expect(await processedSeqs()).toEqual(seqs);
  });
});

describe('acquisition channel', () => {
  it("is the channel of the customer's earliest event, even one that arrives later, and survives a merge", async () => {
    // Batch 1: first seen on the website.
    await send('web', '/v1/page', { anonymousId: 'acq-1', name: 'Home', timestamp: '2026-03-05T10:00:00Z' });
    await send('ecommerce', '/v1/identify', {
      anonymousId: 'acq-1',
      traits: { email: 'acq@example.com' },
      timestamp: '2026-03-06T10:00:00Z',
    });
    await process();
    const id = (await profileOf('email', 'acq@example.com')) as string;
    expect((await customer(id)).acquisition_channel).toBe('web');
    // Batch 2: a later event on another channel changes nothing.
    await send('store', '/v1/identify', {
      anonymousId: 'acq-1',
      traits: { email: 'acq@example.com' },
      timestamp: '2026-03-07T10:00:00Z',
    });
    await process();
    expect((await customer(id)).acquisition_channel).toBe('web');
    // Batch 3: an earlier visit to the counter, uploaded late, makes the counter the channel that brought them.
    await send('store', '/v1/track', {
      anonymousId: 'acq-1',
      event: 'Visited',
      timestamp: '2026-03-01T09:00:00Z',
    });
    await process();
    expect((await customer(id)).acquisition_channel).toBe('store');

    // A second profile first seen in the shop, earlier still, merges in: its channel wins.
    await send('ecommerce', '/v1/identify', {
      anonymousId: 'acq-2',
      traits: { phone: '699 000 222' },
      timestamp: '2026-02-20T09:00:00Z',
    });
    await process();
    const other = (await profileOf('phone', '+34699000222')) as string;
    expect((await customer(other)).acquisition_channel).toBe('ecommerce');
    await send('web', '/v1/identify', {
      anonymousId: 'acq-1',
      traits: { email: 'acq@example.com', phone: '699 000 222' },
      timestamp: '2026-03-08T09:00:00Z',
    });
    await process();
    const survivor = (await profileOf('email', 'acq@example.com')) as string;
    expect(await profileOf('phone', '+34699000222')).toBe(survivor);
    expect((await customer(survivor)).acquisition_channel).toBe('ecommerce');
    const r = await t.req('GET', `/api/v1/customers/${survivor}`, { auth: owner.auth });
    expect(r.json().facts.acquisitionChannel).toBe('ecommerce');
  });
});

describe('timeline', () => {
  it("filters a profile's events by track event name and by channel", async () => {
    const id = await profileOf('user_id', 'shop-501');
    const orders = await t.req(
      'GET',
      `/api/v1/customers/${id}/timeline?type=${encodeURIComponent('track:Order Completed')}`,
      { auth: owner.auth },
    );
    expect(orders.statusCode, orders.body).toBe(200);
    const items = orders.json().data as { type: string; channel: string }[];
    expect(items.length).toBe(1);
    expect(items[0]).toMatchObject({ type: 'track:Order Completed', channel: 'store' });
    const web = await t.req('GET', `/api/v1/customers/${id}/timeline?channel=web`, { auth: owner.auth });
    const webEvents = (web.json().data as { kind: string; channel: string }[]).filter((i) => i.kind === 'event');
    expect(webEvents.length).toBe(2);
  });
});

describe('merge protection', () => {
  it('never merges two profiles with different userIds: the conflict is recorded for review', async () => {
    await send('ecommerce', '/v1/identify', { userId: 'u-ana', traits: { email: 'shared@example.com' } });
    await send('ecommerce', '/v1/identify', { userId: 'u-bob', traits: { email: 'shared@example.com' } });
    await process();
    const ana = await profileOf('user_id', 'u-ana');
    const bob = await profileOf('user_id', 'u-bob');
    expect(ana).toBeDefined();
    expect(bob).toBeDefined();
    expect(ana).not.toBe(bob);
    expect(await profileOf('email', 'shared@example.com')).toBe(ana);
    const conflicts = await sql<{ customer_id: string; other_customer_id: string; status: string }>`
      select customer_id, other_customer_id, status from identity_conflicts where workspace_id = ${owner.workspaceId}`.execute(
      t.ctx.db,
    );
    expect(conflicts.rows).toContainEqual({ customer_id: bob, other_customer_id: ana, status: 'open' });
    const warnings = await sql<{
      warnings: { code: string }[];
    }>`select warnings from events where user_id = 'u-bob'`.execute(t.ctx.db);
    expect(warnings.rows[0]?.warnings.map((w) => w.code)).toContain('identity_conflict');
  });

  it('a conflict a person dismissed is not raised again by later events', async () => {
    const ana = await profileOf('user_id', 'u-ana');
    const conflict = await sql<{
      id: string;
    }>`select id from identity_conflicts where other_customer_id = ${ana} and status = 'open'`.execute(t.ctx.db);
    const id = conflict.rows[0]?.id as string;
    const bob = await profileOf('user_id', 'u-bob');
    const dismissed = await t.req('POST', `/api/v1/customers/${bob}/conflicts/${id}/dismiss`, { auth: owner.auth });
    expect(dismissed.statusCode, dismissed.body).toBe(200);
    await send('ecommerce', '/v1/identify', { userId: 'u-bob', traits: { email: 'shared@example.com' } });
    await process();
    const all = await sql<{
      status: string;
    }>`select status from identity_conflicts where (customer_id = ${bob} and other_customer_id = ${ana}) or (customer_id = ${ana} and other_customer_id = ${bob})`.execute(
      t.ctx.db,
    );
    expect(all.rows.map((r) => r.status)).toEqual(['dismissed']);
  });

  it('a shared device does not join two people: the second userId gets its own profile', async () => {
    await send('web', '/v1/identify', { userId: 'u-carl', anonymousId: 'family-ipad' });
    await send('web', '/v1/identify', { userId: 'u-dora', anonymousId: 'family-ipad' });
    await process();
    expect(await profileOf('user_id', 'u-carl')).not.toBe(await profileOf('user_id', 'u-dora'));
    expect(await profileOf('anonymous_id', 'family-ipad')).toBe(await profileOf('user_id', 'u-carl'));
  });
});

describe('traits', () => {
  it('the latest by event time wins, not the latest to arrive', async () => {
    await send('web', '/v1/identify', {
      userId: 'u-time',
      traits: { plan: 'gold', city: 'Madrid' },
      timestamp: '2026-05-02T00:00:00Z',
    });
    await send('web', '/v1/identify', {
      userId: 'u-time',
      traits: { plan: 'silver' },
      timestamp: '2026-05-01T00:00:00Z',
    });
    await send('web', '/v1/identify', {
      userId: 'u-time',
      traits: { city: 'Sevilla', first_name: 'Eva' },
      timestamp: '2026-05-03T00:00:00Z',
    });
    await process();
    const c = await customer((await profileOf('user_id', 'u-time')) as string);
    expect(c.traits).toMatchObject({ plan: 'gold', city: 'Sevilla', firstName: 'Eva' });
    expect(c.first_name).toBe('Eva');
  });
});

describe('junk identifiers', () => {
  it('are ignored and reported, never used to join people', async () => {
    await send('web', '/v1/identify', { userId: 'undefined', anonymousId: 'junk-a', traits: { email: 'null' } });
    await send('web', '/v1/identify', { userId: 'undefined', anonymousId: 'junk-b' });
    await send('web', '/v1/track', { userId: '0', event: 'Nobody' });
    await process();
    expect(await profileOf('anonymous_id', 'junk-a')).not.toBe(await profileOf('anonymous_id', 'junk-b'));
    expect(await profileOf('user_id', 'undefined')).toBeUndefined();
    const w = await sql<{ warnings: { code: string; kind?: string }[] | null; customer_id: string | null }>`
      select warnings, customer_id from events where user_id in ('undefined', '0') order by seq`.execute(t.ctx.db);
    expect(w.rows[0]?.warnings?.map((x) => `${x.code}:${x.kind}`)).toEqual([
      'junk_identifier:user_id',
      'junk_identifier:email',
    ]);
    expect(w.rows[2]?.customer_id).toBeNull();
    expect(w.rows[2]?.warnings?.map((x) => x.code)).toContain('no_identity');
  });
});

describe('companies', () => {
  it('a group call links the person to a company with its traits', async () => {
    await send('ecommerce', '/v1/group', {
      userId: 'u-ana',
      groupId: 'g-1',
      traits: { name: 'Panadería Sol', employees: 4 },
    });
    await process();
    const r = await sql<{ name: string; traits: Record<string, unknown> }>`
      select c.name, c.traits from companies c join customer_companies cc on cc.company_id = c.id where cc.customer_id = ${await profileOf('user_id', 'u-ana')}`.execute(
      t.ctx.db,
    );
    expect(r.rows).toEqual([{ name: 'Panadería Sol', traits: { name: 'Panadería Sol', employees: 4 } }]);
  });
});

describe('under concurrency', () => {
  it('parallel batches naming the same new identifiers end with one profile', async () => {
    const batches = Array.from({ length: 8 }, (_, i) => ({
      batch: [
        { type: 'identify', anonymousId: `dev-${i}`, traits: { email: 'race@example.com' } },
        { type: 'track', userId: 'u-race', anonymousId: `dev-${i}`, event: 'Seen' },
      ],
    }));
    await Promise.all(batches.map((b) => send('web', '/v1/batch', b)));
    // Several processors at once (as several workers would run).
    await Promise.all([process(), process(), process()]);
    await process();
    const id = await profileOf('email', 'race@example.com');
    expect(await profileOf('user_id', 'u-race')).toBe(id);
    for (let i = 0; i < 8; i++) expect(await profileOf('anonymous_id', `dev-${i}`)).toBe(id);
    const live = await sql<{ n: number }>`
      select count(distinct ci.customer_id)::int as n from customer_identifiers ci
      where ci.workspace_id = ${owner.workspaceId} and (ci.value like 'dev-%' or ci.value in ('race@example.com', 'u-race'))`.execute(
      t.ctx.db,
    );
    expect(live.rows[0]?.n).toBe(1);
  });
});
