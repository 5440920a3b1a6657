/**
 * Journeys end to end on real parts: events through the tracking API and processing, the engine
 * with a clock the test moves (a week of waits in a moment), emails through the messaging
 * domain's send jobs to an SMTP server in this process (smtp-server on 127.0.0.1).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAllPending } from '../ingest/index.js';
import { registerMessagingJobs } from '../messaging/index.js';
import { createOtherWorkspace, createTestApp, setupOwner, type TestApp } from '../testing/app.js';
import { startSmtpCapture } from '../testing/smtp.js';
import { runWorkspace } from './engine.js';

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;
let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
let writeKey = '';
let seq = 0;

/** Monday 7 January 2030, 10:00 UTC (11:00 in Madrid): outside quiet hours everywhere used here. */
const T0 = new Date('2030-01-07T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const HOUR = 3600_000;
const DAY = 24 * HOUR;

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
async function send(body: Record<string, unknown>) {
  const r = await t.req('POST', `/v1/${body.type}`, {
    // Events happened an hour ago in real time: the engine's clock (T0, in 2030) is the test's own,
    // while an unsubscribe or a consent change is recorded at the real time, after them.
    body: JSON.stringify({
      messageId: `j-${++seq}`,
      timestamp: new Date(Date.now() - 3600_000).toISOString(),
      ...body,
    }),
    headers: { 'content-type': 'application/json', authorization: basic(writeKey) },
  });
  expect(r.statusCode, r.body).toBe(200);
}
const identify = (userId: string, traits: Record<string, unknown>) => send({ type: 'identify', userId, traits });
const track = (userId: string, event: string, properties: Record<string, unknown> = {}) =>
  send({ type: 'track', userId, event, properties });
const subscribed = { consent: { email: 'subscribed' } };

async function api(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown, status = 200) {
  const r = await t.req(method, url, { auth: owner.auth, body });
  expect(r.statusCode, `${method} ${url}: ${r.body}`).toBe(status);
  return r.body ? r.json() : undefined;
}

/** Processes stored events, runs the engine at `now`, and hands what it queued to SMTP. */
async function tick(now: Date) {
  await processAllPending(t.ctx.db, owner.workspaceId);
  const r = await runWorkspace(t.ctx.db, owner.workspaceId, now, { forceScan: true });
  await t.ctx.jobs.drain({ timeoutMs: 30_000 });
  return r;
}
const mailsTo = (email: string) => smtp.to(email);
async function customerId(userId: string): Promise<string> {
  const r = await api('GET', `/api/v1/customers/lookup?userId=${userId}`);
  return r.id;
}
async function journeysOf(userId: string) {
  return (await api('GET', `/api/v1/customers/${await customerId(userId)}/journeys`)).items as {
    id: string;
    journeyName: string;
    state: string;
    node: string | null;
    nextAt: string | null;
    holdout: boolean;
    endReason: string | null;
  }[];
}
async function history(enrollmentId: string) {
  return (await api('GET', `/api/v1/journey-enrollments/${enrollmentId}/history`)).items as {
    node: string | null;
    outcome: string;
    detail: Record<string, unknown> | null;
  }[];
}
/** Creates and publishes a journey; returns it. */
async function journey(name: string, definition: Record<string, unknown>) {
  const j = await api('POST', '/api/v1/journeys', { name, definition }, 201);
  return api('POST', `/api/v1/journeys/${j.id}/publish`);
}
const email = (subject: string, next?: string) => ({
  type: 'send',
  channel: 'email',
  purpose: 'marketing',
  subject,
  html: `<p>{{ customer.first_name }}: ${subject}</p>`,
  ...(next ? { next } : {}),
});

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t, 'Bakery');
  smtp = await startSmtpCapture();
  const port = smtp.port;
  registerMessagingJobs(t.ctx.jobs, t.ctx.db, { secret: t.ctx.secret, publicUrl: t.ctx.config.publicUrl });
  await api('PUT', '/api/v1/settings/email', {
    host: '127.0.0.1',
    port,
    secure: false,
    fromName: 'Bakery',
    fromAddress: 'hello@bakery.example',
  });
  writeKey = (await api('POST', '/api/v1/sources', { name: 'Website', channel: 'web' }, 201)).writeKey;
});
afterAll(() => smtp.close());

describe('the welcome playbook', () => {
  let welcomeId = '';

  it('is listed, installs as a draft with its templates, and publishes', async () => {
    const list = await api('GET', '/api/v1/playbooks');
    expect(list.items.map((p: { key: string }) => p.key)).toEqual([
      'welcome',
      'abandoned_cart',
      'birthday',
      'post_purchase',
      'replenishment',
      're_engagement',
      'win_back',
    ]);
    const j = await api('POST', '/api/v1/playbooks/welcome/install', {}, 201);
    expect(j).toMatchObject({ name: 'Welcome series', status: 'draft', version: 0, playbook: 'welcome', issues: [] });
    welcomeId = j.id;
    const published = await api('POST', `/api/v1/journeys/${j.id}/publish`);
    expect(published).toMatchObject({ status: 'active', version: 1 });
  });

  it('delivers its three emails at the right simulated times', async () => {
    await identify('wendy', { email: 'wendy@example.com', firstName: 'Wendy', ...subscribed });
    await tick(T0);
    expect(mailsTo('wendy@example.com').map((m) => m.subject)).toEqual(['Welcome to Bakery']);
    // Nothing more the next day; the second email two days in; the third a week in, not a minute before.
    await tick(at(DAY));
    expect(mailsTo('wendy@example.com')).toHaveLength(1);
    await tick(at(2 * DAY));
    expect(mailsTo('wendy@example.com').map((m) => m.subject)).toEqual([
      'Welcome to Bakery',
      'Our customers’ favourites',
    ]);
    await tick(at(7 * DAY - 60_000));
    expect(mailsTo('wendy@example.com')).toHaveLength(2);
    await tick(at(7 * DAY));
    expect(mailsTo('wendy@example.com').map((m) => m.subject)).toEqual([
      'Welcome to Bakery',
      'Our customers’ favourites',
      'A little something for your first order',
    ]);
    // Sent when the engine said so: the messages carry the simulated times.
    const messages = (await api('GET', `/api/v1/customers/${await customerId('wendy')}/messages`)).data;
    expect(messages.map((m: { createdAt: string }) => m.createdAt).sort()).toEqual([
      T0.toISOString(),
      at(2 * DAY).toISOString(),
      at(7 * DAY).toISOString(),
    ]);
    const [e] = await journeysOf('wendy');
    expect(e).toMatchObject({ journeyName: 'Welcome series', state: 'completed', endReason: 'end' });
    // On her timeline.
    const timeline = await api('GET', `/api/v1/customers/${await customerId('wendy')}/timeline?type=journey.entered`);
    expect(timeline.data.map((i: { type: string; title: string }) => [i.type, i.title])).toEqual([
      ['journey.entered', 'Entered journey: Welcome series'],
    ]);
    // Identified again: `once` keeps them out.
    await identify('wendy', { plan: 'gold' });
    await tick(at(8 * DAY));
    expect(await journeysOf('wendy')).toHaveLength(1);
  });

  it('sends nothing without email consent, and records the skip and its reason', async () => {
    await identify('nadia', { email: 'nadia@example.com' });
    await tick(T0);
    await tick(at(2 * DAY));
    await tick(at(7 * DAY));
    expect(mailsTo('nadia@example.com')).toHaveLength(0);
    const [e] = await journeysOf('nadia');
    const steps = await history(e?.id as string);
    expect(steps.filter((s) => s.outcome === 'skipped').map((s) => [s.node, s.detail?.reason])).toEqual([
      ['email1', 'no_consent'],
      ['email2', 'no_consent'],
      ['email3', 'no_consent'],
    ]);
  });

  it('stops the rest once the goal is reached mid-journey', async () => {
    await identify('gina', { email: 'gina@example.com', ...subscribed });
    await tick(T0);
    expect(mailsTo('gina@example.com')).toHaveLength(1);
    await track('gina', 'Order Completed', { order_id: 'g-1', total: 20 });
    await tick(at(DAY));
    await tick(at(2 * DAY));
    await tick(at(7 * DAY));
    expect(mailsTo('gina@example.com')).toHaveLength(1);
    const [e] = await journeysOf('gina');
    expect(e).toMatchObject({ state: 'converted', endReason: 'goal' });
  });

  it('an unsubscribe from the first email stops the next one', async () => {
    await identify('una', { email: 'una@example.com', ...subscribed });
    await tick(T0);
    const [mail] = mailsTo('una@example.com');
    const link = String(mail?.html).match(/https?:\/\/[^"'\s>]+(\/u\/[A-Za-z0-9_.-]+)/)?.[1] as string;
    const res = await t.req('POST', link, {
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Gmail one-click' },
    });
    expect(res.statusCode).toBe(200);
    await tick(at(2 * DAY));
    expect(mailsTo('una@example.com')).toHaveLength(1);
    const [e] = await journeysOf('una');
    expect((await history(e?.id as string)).find((s) => s.node === 'email2')).toMatchObject({
      outcome: 'skipped',
      detail: { reason: 'no_consent' },
    });
  });

  it('reports entered, completed, converted and per-step outcomes', async () => {
    const s = await api('GET', `/api/v1/journeys/${welcomeId}/stats`);
    // wendy and nadia went through, gina converted, una waits for the last email.
    expect(s).toMatchObject({ entered: 4, completed: 2, converted: 1, active: 1 });
    const email1 = s.steps.find((x: { node: string }) => x.node === 'email1');
    expect(email1.outcomes).toEqual({ sent: 3, skipped: 1 });
    expect(email1.messages).toMatchObject({ total: 3, sent: 3 });
    const wait1 = s.steps.find((x: { node: string }) => x.node === 'wait1');
    expect(wait1.outcomes).toMatchObject({ waiting: 4, waited: 3 });
  });

  it('archived, lets everyone inside leave and takes nobody new', async () => {
    await identify('late', { email: 'late@example.com', ...subscribed });
    await tick(at(8 * DAY));
    const archived = await api('POST', `/api/v1/journeys/${welcomeId}/archive`);
    expect(archived.status).toBe('archived');
    expect((await journeysOf('late'))[0]).toMatchObject({ state: 'exited', endReason: 'archived' });
    await identify('later', { email: 'later@example.com', ...subscribed });
    await tick(at(8 * DAY));
    expect(await journeysOf('later')).toEqual([]);
  });
});

describe('quiet hours', () => {
  it('defer a send to 08:00 in Madrid for a Madrid customer', async () => {
    await journey('Late order thanks', {
      trigger: { type: 'event', event: 'Late Visit' },
      start: 'hello',
      nodes: { hello: email('Good morning') },
    });
    await identify('quim', { email: 'quim@example.com', timezone: 'Europe/Madrid', ...subscribed });
    await track('quim', 'Late Visit');
    // 23:30 in Madrid (UTC+1 in January).
    await tick(new Date('2030-01-07T22:30:00Z'));
    expect(mailsTo('quim@example.com')).toHaveLength(0);
    const late = (await journeysOf('quim')).find((e) => e.journeyName === 'Late order thanks');
    expect(late).toMatchObject({ state: 'active', node: 'hello', nextAt: '2030-01-08T07:00:00.000Z' });
    await tick(new Date('2030-01-08T06:59:00Z'));
    expect(mailsTo('quim@example.com')).toHaveLength(0);
    await tick(new Date('2030-01-08T07:00:00Z'));
    expect(mailsTo('quim@example.com').map((m) => m.subject)).toEqual(['Good morning']);
  });
});

describe('exactly once', () => {
  it('a send queued before a worker died is delivered once after the restart', async () => {
    await journey('Once only', {
      trigger: { type: 'event', event: 'Once Test' },
      entry: { mode: 'every_time' },
      start: 'hello',
      nodes: { hello: email('Exactly once') },
    });
    await identify('olga', { email: 'olga@example.com', ...subscribed });
    await track('olga', 'Once Test');
    await processAllPending(t.ctx.db, owner.workspaceId);
    await runWorkspace(t.ctx.db, owner.workspaceId, T0);
    // The worker that took the send job died before handing it to SMTP: the job is running, its lock expired.
    await sql`update jobs set state = 'running', attempts = 1, locked_by = 'dead-worker:1',
        locked_until = now() - interval '1 second', started_at = now()
      where queue = 'messaging.send' and state = 'queued'`.execute(t.ctx.db);
    // The engine running the same moment again queues nothing new (idempotency key per enrollment step).
    await runWorkspace(t.ctx.db, owner.workspaceId, T0);
    await t.ctx.jobs.drain({ timeoutMs: 30_000 });
    await t.ctx.jobs.drain({ timeoutMs: 30_000 });
    expect(mailsTo('olga@example.com').map((m) => m.subject)).toEqual(['Exactly once']);
  });
});

describe('holdout', () => {
  it('receives nothing, and its conversions are the baseline', async () => {
    const j = await journey('Holdout test', {
      trigger: { type: 'event', event: 'Holdout Test' },
      goal: { event: 'Order Completed', withinDays: 30 },
      holdoutPercent: 50,
      start: 'hello',
      nodes: { hello: email('Not for the holdout') },
    });
    const people = Array.from({ length: 16 }, (_, i) => `hold${i}`);
    for (const p of people) {
      await identify(p, { email: `${p}@example.com`, ...subscribed });
      await track(p, 'Holdout Test');
    }
    await tick(T0);
    let held = 0;
    for (const p of people) {
      const e = (await journeysOf(p)).find((x) => x.journeyName === 'Holdout test');
      if (e?.holdout) {
        held++;
        expect(mailsTo(`${p}@example.com`)).toHaveLength(0);
      } else expect(mailsTo(`${p}@example.com`)).toHaveLength(1);
    }
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(16);
    // One of the holdout orders anyway: the baseline.
    const holdoutPerson = (
      await Promise.all(
        people.map(async (p) => ({ p, e: (await journeysOf(p)).find((x) => x.journeyName === 'Holdout test') })),
      )
    ).find((x) => x.e?.holdout)?.p as string;
    await track(holdoutPerson, 'Order Completed', { order_id: `h-${holdoutPerson}`, total: 10 });
    await tick(at(HOUR));
    const s = await api('GET', `/api/v1/journeys/${j.id}/stats`);
    expect(s.holdout).toMatchObject({ entered: held, converted: 1 });
    expect(s.entered).toBe(16 - held);
    expect(s.holdout.conversionRate).toBeCloseTo(1 / held, 4);
  });
});

describe('definitions', () => {
  it('a bad journey is refused with the node and the reason', async () => {
    const bad = async (definition: Record<string, unknown>) => {
      const j = await api('POST', '/api/v1/journeys', { name: `Bad ${++seq}`, definition }, 201);
      const r = await t.req('POST', `/api/v1/journeys/${j.id}/publish`, { auth: owner.auth });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().error.code).toBe('invalid_definition');
      return r.json().error.details.issues as { path: string; node: string | null; message: string }[];
    };
    const trigger = { type: 'event', event: 'X' };
    expect(await bad({ trigger, start: 'a', nodes: { a: email('A', 'nowhere') } })).toEqual([
      { path: 'definition.nodes.a.next', node: 'a', message: 'no step "nowhere" in this journey' },
    ]);
    expect(
      await bad({
        trigger,
        start: 'a',
        nodes: {
          a: { type: 'condition', rule: { type: 'tag', tag: 'x', op: 'has' }, yes: 'b', no: 'c' },
          b: { type: 'update_profile', addTags: ['y'], next: 'a' },
          c: { type: 'exit' },
          lonely: { type: 'exit' },
        },
      }),
    ).toEqual([
      { path: 'definition.nodes.lonely', node: 'lonely', message: 'no path from the start reaches this step' },
      { path: 'definition.nodes.a', node: 'a', message: 'these steps loop without a wait: a → b' },
    ]);
    const fields = await bad({ trigger, start: 'a', nodes: { a: { type: 'send', channel: 'email' } } });
    expect(fields[0]).toMatchObject({ path: 'definition.nodes.a.templateKey', node: 'a' });
    const refs = await bad({
      trigger,
      start: 'a',
      nodes: { a: { type: 'add_to_list', segmentId: 'seg_missing' } },
    });
    expect(refs[0]).toMatchObject({ path: 'definition.nodes.a.segmentId', node: 'a' });
    // In the caller's language.
    const es = await api(
      'POST',
      '/api/v1/journeys',
      {
        name: `Bad ${++seq}`,
        definition: { trigger, start: 'a', nodes: { a: { type: 'exit' }, b: { type: 'exit' } } },
      },
      201,
    );
    const refused = await t.req('POST', `/api/v1/journeys/${es.id}/publish`, {
      auth: owner.auth,
      headers: { 'accept-language': 'es' },
    });
    expect(refused.json().error.details.issues).toEqual([
      { path: 'definition.nodes.b', node: 'b', message: 'ningún camino desde el inicio llega a este paso' },
    ]);
    expect(refused.json().error.message).toContain('1 problema(s)');
    // The same problems, without saving anything.
    const v = await api('POST', '/api/v1/journeys/validate', { definition: { trigger, start: 'z', nodes: {} } });
    expect(v).toEqual({
      valid: false,
      issues: [{ path: 'definition.nodes', node: null, message: 'a journey needs at least one step' }],
    });
  });

  it('publishing makes a new version; customers inside keep theirs; a draft affects nobody', async () => {
    const j = await journey('Versions', {
      trigger: { type: 'event', event: 'Version Test' },
      entry: { mode: 'every_time' },
      start: 'first',
      nodes: {
        first: email('V1 first', 'wait'),
        wait: { type: 'wait', for: { amount: 1, unit: 'days' }, next: 'second' },
        second: email('V1 second'),
      },
    });
    await identify('vera', { email: 'vera@example.com', ...subscribed });
    await track('vera', 'Version Test');
    await tick(T0);
    const v2 = structuredClone(j.draft);
    v2.nodes.second.subject = 'V2 second';
    v2.nodes.first.subject = 'V2 first';
    await api('PATCH', `/api/v1/journeys/${j.id}`, { definition: v2 });
    await identify('vick', { email: 'vick@example.com', ...subscribed });
    await track('vick', 'Version Test');
    await tick(at(HOUR));
    // The draft is not live: a new entrant still gets version 1.
    expect(mailsTo('vick@example.com').map((m) => m.subject)).toEqual(['V1 first']);
    expect((await api('POST', `/api/v1/journeys/${j.id}/publish`)).version).toBe(2);
    await identify('vito', { email: 'vito@example.com', ...subscribed });
    await track('vito', 'Version Test');
    await tick(at(DAY));
    expect(mailsTo('vera@example.com').map((m) => m.subject)).toEqual(['V1 first', 'V1 second']);
    expect(mailsTo('vito@example.com').map((m) => m.subject)).toEqual(['V2 first']);
    await tick(at(2 * DAY));
    expect(mailsTo('vito@example.com').map((m) => m.subject)).toEqual(['V2 first', 'V2 second']);
    expect(
      (await api('GET', `/api/v1/journeys/${j.id}/versions`)).items.map((v: { version: number }) => v.version),
    ).toEqual([2, 1]);
  });
});

describe('steps', () => {
  it('waits for an event with a timeout branch (the abandoned cart playbook)', async () => {
    const j = await api('POST', '/api/v1/playbooks/abandoned_cart/install', {}, 201);
    await api('POST', `/api/v1/journeys/${j.id}/publish`);
    await identify('carl', { email: 'carl@example.com', ...subscribed });
    await identify('cora', { email: 'cora@example.com', ...subscribed });
    await track('carl', 'Checkout Started', { cart_id: 'c1' });
    await track('cora', 'Checkout Started', { cart_id: 'c2' });
    await tick(T0);
    await track('cora', 'Order Completed', { order_id: 'cora-1', total: 12 });
    await tick(at(HOUR));
    await tick(at(2 * HOUR));
    expect(mailsTo('carl@example.com').map((m) => m.subject)).toEqual(['You left something behind']);
    expect(mailsTo('cora@example.com')).toHaveLength(0);
    const cora = (await journeysOf('cora')).find((e) => e.journeyName === 'Abandoned cart');
    // The order met the journey's goal before the wait ended: converted.
    expect(cora).toMatchObject({ state: 'converted', endReason: 'goal' });
  });

  it('branches on a rule, updates the profile, creates a task and adds to a list, from a segment entry', async () => {
    const vip = await api(
      'POST',
      '/api/v1/segments',
      {
        name: 'Gold plan',
        kind: 'dynamic',
        rule: { type: 'trait', trait: 'plan', op: 'equals', value: 'gold' },
      },
      201,
    );
    const list = await api('POST', '/api/v1/segments', { name: 'Called', kind: 'static' }, 201);
    await journey('Gold welcome', {
      trigger: { type: 'segment', segmentId: vip.id, on: 'entered' },
      start: 'spain',
      nodes: {
        spain: {
          type: 'condition',
          rule: { type: 'trait', trait: 'country', op: 'equals', value: 'ES' },
          yes: 'tag',
          no: 'bye',
        },
        tag: { type: 'update_profile', addTags: ['vip'], setTraits: { tier: 'gold' }, next: 'call' },
        call: { type: 'task', title: 'Call to say thanks', dueInDays: 2, next: 'list' },
        list: { type: 'add_to_list', segmentId: list.id },
        bye: { type: 'exit' },
      },
    });
    await identify('goya', { email: 'goya@example.com', country: 'ES', plan: 'gold' });
    await identify('gus', { email: 'gus@example.com', country: 'FR', plan: 'gold' });
    await processAllPending(t.ctx.db, owner.workspaceId);
    await api('POST', `/api/v1/segments/${vip.id}/refresh`);
    await tick(T0);
    const goya = await api('GET', `/api/v1/customers/${await customerId('goya')}`);
    expect(goya.tags).toContain('vip');
    expect(goya.traits.tier).toBe('gold');
    const gus = await api('GET', `/api/v1/customers/${await customerId('gus')}`);
    expect(gus.tags).not.toContain('vip');
    const tasks = (await api('GET', `/api/v1/tasks?customerId=${goya.id}`)).items;
    expect(tasks).toEqual([
      expect.objectContaining({ title: 'Call to say thanks', status: 'open', dueAt: at(2 * DAY).toISOString() }),
    ]);
    const done = await api('PATCH', `/api/v1/tasks/${tasks[0].id}`, { status: 'done' });
    expect(done.status).toBe('done');
    const members = (await api('GET', `/api/v1/segments/${list.id}/members`)).items.map((m: { id: string }) => m.id);
    expect(members).toEqual([goya.id]);
    // Simulation shows the path each would take.
    const sim = await api(
      'POST',
      `/api/v1/journeys/${(await api('GET', '/api/v1/journeys')).items.find((x: { name: string }) => x.name === 'Gold welcome').id}/simulate`,
      { customerId: gus.id },
    );
    expect(sim.path.map((p: { node: string; outcome: string }) => `${p.node}:${p.outcome}`)).toEqual([
      'spain:no',
      'bye:passed',
    ]);
  });

  it('enters on a birthday three days ahead at 09:00 in the customer’s time zone, once per year', async () => {
    await api(
      'POST',
      `/api/v1/journeys/${(await api('POST', '/api/v1/playbooks/birthday/install', {}, 201)).id}/publish`,
    );
    await identify('bea', {
      email: 'bea@example.com',
      birthday: '1990-01-10',
      timezone: 'Europe/Madrid',
      ...subscribed,
    });
    await tick(new Date('2030-01-07T05:00:00Z'));
    const e = (await journeysOf('bea')).find((x) => x.journeyName === 'Birthday offer');
    expect(e).toMatchObject({ state: 'active', nextAt: '2030-01-07T08:00:00.000Z' });
    await tick(new Date('2030-01-07T07:59:00Z'));
    expect(mailsTo('bea@example.com')).toHaveLength(0);
    await tick(new Date('2030-01-07T08:00:00Z'));
    expect(mailsTo('bea@example.com').map((m) => m.subject)).toEqual(['A birthday treat from us']);
    await tick(new Date('2030-01-07T12:00:00Z'));
    expect((await journeysOf('bea')).filter((x) => x.journeyName === 'Birthday offer')).toHaveLength(1);
  });

  it('reminds a customer to reorder after their own usual time between orders (replenishment)', async () => {
    const j = await api('POST', '/api/v1/playbooks/replenishment/install', {}, 201);
    await api('POST', `/api/v1/journeys/${j.id}/publish`);
    // In the past (real time), so the orders' dates are ordinary ones: 20 and 10 days before P0.
    const P0 = new Date('2026-01-10T10:00:00Z');
    const before = (days: number) => new Date(P0.getTime() - days * DAY).toISOString();
    await identify('rita', { email: 'rita@example.com', ...subscribed });
    await send({
      type: 'track',
      userId: 'rita',
      event: 'Order Completed',
      properties: { order_id: 'r1', total: 12 },
      timestamp: before(20),
    });
    await send({
      type: 'track',
      userId: 'rita',
      event: 'Order Completed',
      properties: { order_id: 'r2', total: 15 },
      timestamp: before(10),
    });
    await tick(new Date(before(9)));
    const e = (await journeysOf('rita')).find((x) => x.journeyName === 'Replenishment reminder');
    // Her last order plus her own 10 days, at 10:00.
    expect(e).toMatchObject({ state: 'active', node: 'interval', nextAt: P0.toISOString() });
    await tick(new Date(P0.getTime() - 60_000));
    expect(mailsTo('rita@example.com')).toHaveLength(0);
    await tick(P0);
    expect(mailsTo('rita@example.com').map((m) => m.subject)).toEqual(['Running low?']);
  });

  it('checks the exit rule again before every step, even within one instant', async () => {
    await journey('Exit midway', {
      trigger: { type: 'event', event: 'Exit Midway' },
      exit: { type: 'tag', tag: 'stop-now', op: 'has' },
      start: 'tag',
      nodes: { tag: { type: 'update_profile', addTags: ['stop-now'], next: 'mail' }, mail: email('Never sent') },
    });
    await identify('xena', { email: 'xena@example.com', ...subscribed });
    await track('xena', 'Exit Midway');
    await tick(T0);
    expect(mailsTo('xena@example.com')).toHaveLength(0);
    const e = (await journeysOf('xena')).find((x) => x.journeyName === 'Exit midway');
    expect(e).toMatchObject({ state: 'exited', endReason: 'exit_rule', node: 'mail' });
  });

  it('caps marketing emails per customer across journeys', async () => {
    await api('PUT', '/api/v1/settings/journeys', {
      quietHours: { start: '21:00', end: '08:00' },
      frequencyCaps: { email: { max: 1, days: 7 } },
    });
    await journey('Cap A', { trigger: { type: 'event', event: 'Cap Test' }, start: 'a', nodes: { a: email('Cap A') } });
    await journey('Cap B', { trigger: { type: 'event', event: 'Cap Test' }, start: 'b', nodes: { b: email('Cap B') } });
    await identify('cami', { email: 'cami@example.com', ...subscribed });
    await track('cami', 'Cap Test');
    await tick(at(20 * DAY));
    expect(mailsTo('cami@example.com')).toHaveLength(1);
    const skipped = [];
    for (const e of await journeysOf('cami'))
      for (const s of await history(e.id)) if (s.outcome === 'skipped') skipped.push(s.detail?.reason);
    expect(skipped).toEqual(['frequency_cap']);
    await api('PUT', '/api/v1/settings/journeys', { quietHours: { start: '21:00', end: '08:00' }, frequencyCaps: {} });
  });
});

describe('other channels', () => {
  it('sends an SMS (the log provider) and a signed webhook from the same journey', async () => {
    const hits: { body: Record<string, unknown>; signature: string | undefined }[] = [];
    const receiver = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => {
        raw += c;
      });
      req.on('end', () => {
        hits.push({ body: JSON.parse(raw), signature: req.headers['kith-signature'] as string | undefined });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const port = (receiver.address() as AddressInfo).port;
      await api('PUT', '/api/v1/settings/sms', { provider: 'log' });
      const hook = await api(
        'POST',
        '/api/v1/settings/webhooks',
        { name: 'CRM', url: `http://127.0.0.1:${port}/kith` },
        201,
      );
      await journey('Two channels', {
        trigger: { type: 'event', event: 'Two Channels' },
        start: 'text',
        nodes: {
          text: {
            type: 'send',
            channel: 'sms',
            purpose: 'transactional',
            body: 'Your bread is ready, {{ customer.first_name }}',
            next: 'hook',
          },
          hook: { type: 'send', channel: 'webhook', endpointId: hook.id, payload: { kind: 'bread_ready' } },
        },
      });
      await identify('sam', { phone: '+34600999888', firstName: 'Sam' });
      await track('sam', 'Two Channels', { shop: 'Centro' });
      await tick(T0);
      const messages = (await api('GET', `/api/v1/customers/${await customerId('sam')}/messages`)).data;
      expect(messages.map((m: { channel: string; status: string }) => [m.channel, m.status]).sort()).toEqual([
        ['sms', 'sent'],
        ['webhook', 'delivered'],
      ]);
      expect(hits).toHaveLength(1);
      expect(hits[0]?.body).toMatchObject({
        customerId: await customerId('sam'),
        data: { kind: 'bread_ready', journey: { name: 'Two channels' }, trigger: { shop: 'Centro' } },
      });
      expect(hits[0]?.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}/);
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });
});

describe('test send', () => {
  it('sends an email step of the draft to the signed-in person, marked [Test], in the language asked', async () => {
    const j = await api(
      'POST',
      '/api/v1/journeys',
      {
        name: 'Test send',
        definition: {
          trigger: { type: 'event', event: 'X' },
          start: 'hello',
          nodes: { hello: email('Hello from the draft') },
        },
      },
      201,
    );
    const r = await api('POST', `/api/v1/journeys/${j.id}/test-send`, { node: 'hello' });
    expect(r).toMatchObject({ sent: true, to: owner.email, locale: 'en' });
    const [mail] = mailsTo(owner.email);
    expect(mail?.subject).toBe('[Test] Hello from the draft');
    expect(String(mail?.html)).toContain('Ana: Hello from the draft');
    const bad = await t.req('POST', `/api/v1/journeys/${j.id}/test-send`, { auth: owner.auth, body: { node: 'nope' } });
    expect(bad.json().error).toMatchObject({ code: 'invalid_request', field: 'node' });
  });
});

describe('access', () => {
  it('another workspace sees none of it', async () => {
    const mine = (await api('GET', '/api/v1/journeys')).items[0];
    const otherWs = await createOtherWorkspace(t, owner.auth, 'Elsewhere');
    await api('POST', '/api/v1/session/workspace', { workspaceId: otherWs });
    try {
      for (const [method, url] of [
        ['GET', `/api/v1/journeys/${mine.id}`],
        ['PATCH', `/api/v1/journeys/${mine.id}`],
        ['POST', `/api/v1/journeys/${mine.id}/publish`],
        ['POST', `/api/v1/journeys/${mine.id}/pause`],
        ['POST', `/api/v1/journeys/${mine.id}/archive`],
        ['GET', `/api/v1/journeys/${mine.id}/stats`],
        ['GET', `/api/v1/journeys/${mine.id}/versions`],
      ] as const) {
        const r = await t.req(method, url, {
          auth: owner.auth,
          ...(method === 'PATCH' ? { body: { name: 'x' } } : {}),
        });
        expect(r.statusCode, `${method} ${url}`).toBe(404);
      }
      expect((await api('GET', '/api/v1/journeys')).items).toEqual([]);
      expect((await api('GET', '/api/v1/tasks')).items).toEqual([]);
    } finally {
      await api('POST', '/api/v1/session/workspace', { workspaceId: owner.workspaceId });
    }
  });
});
