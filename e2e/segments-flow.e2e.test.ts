import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot, signIn } from './browser';
import { apiCall, orderMessage, sendBatch, setupWorkspace, until } from './data';
import { type KithServer, startServer } from './server';

/** Figures may take a moment on a busy machine: poll up to 15 s. */
const POLL = { timeout: 15_000 };
const SHOTS = 'segments-flow';
const owner = {
  workspaceName: 'Corner Bakery',
  name: 'Olga Owner',
  email: 'olga@bakery.example',
  password: 'sourdough-and-rye-8',
  currency: 'EUR',
  timezone: 'UTC',
};

/**
 * Five customers, worked out by hand. Orders: Ana 3, Ben 1, Cai 2, Dee 0, Eva 2. Newsletter
 * (in the last days): Ana, Ben, Dee, Eva. So "at least 2 orders" is Ana, Cai, Eva (3), and
 * "at least 2 orders and subscribed in the last 30 days" is Ana and Eva (2).
 */
const PEOPLE = [
  { id: 'ana', first: 'Ana', last: 'Alvarez', orders: [12, 20, 8], newsletter: true },
  { id: 'ben', first: 'Ben', last: 'Brown', orders: [30], newsletter: true },
  { id: 'cai', first: 'Cai', last: 'Castro', orders: [15, 25], newsletter: false },
  { id: 'dee', first: 'Dee', last: 'Diaz', orders: [], newsletter: true },
  { id: 'eva', first: 'Eva', last: 'Evans', orders: [40, 10], newsletter: true },
];

describe('segments in a browser', () => {
  let server: KithServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    await setupWorkspace(server, owner);
    browser = await launchBrowser();
    ({ page } = await openPage(browser, server.url, pageErrors));
    await signIn(page, owner);
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) {
      console.error('page errors:', pageErrors);
      await screenshot(page, SHOTS, 'failure').catch(() => undefined);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop({ signal: 'SIGKILL' }).catch(() => undefined);
  });

  it('shows an empty segments page that says what a segment is and offers examples', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Segments' }).click();
    await page.waitForURL((url) => url.pathname === '/segments');
    await page.getByRole('heading', { name: 'No segments yet' }).waitFor();
    await page.getByRole('link', { name: 'New segment' }).waitFor();
    await page.getByRole('link', { name: 'Repeat customers' }).waitFor();
    await screenshot(page, SHOTS, '01-segments-empty');
  });

  it('fills a workspace with customers, events and orders through the API', async () => {
    const source = await apiCall(page, 'POST', '/api/v1/sources', { name: 'Bakery website', channel: 'web' });
    expect(source.status).toBe(201);
    const batch: object[] = [];
    let order = 0;
    for (const p of PEOPLE) {
      batch.push({
        type: 'identify',
        userId: p.id,
        traits: { email: `${p.id}@example.com`, firstName: p.first, lastName: p.last },
        timestamp: new Date(Date.now() - 48 * 3_600_000).toISOString(),
      });
      if (p.newsletter)
        batch.push({
          type: 'track',
          userId: p.id,
          event: 'Newsletter Subscribed',
          timestamp: new Date(Date.now() - 30 * 3_600_000).toISOString(),
        });
      p.orders.forEach((total, i) => {
        batch.push(orderMessage(p.id, `B-${++order}`, total, 20 - i));
      });
    }
    await sendBatch(server, source.body.writeKey, batch);
    // Wait for the processor: every order and every subscription has landed.
    await until(async () => {
      const orders = await apiCall(page, 'GET', '/api/v1/orders?limit=100');
      return orders.body.data?.length === 8;
    }, 'the 8 orders');
    await until(async () => {
      const r = await apiCall(page, 'POST', '/api/v1/segments/preview', {
        rule: { type: 'event', event: 'Newsletter Subscribed', did: true },
      });
      return r.body.count === 4;
    }, 'the 4 subscriptions');
  });

  it('builds a segment with two conditions, with the live count following each change', async () => {
    await page.goto('/segments');
    await page.getByRole('link', { name: 'New segment' }).click();
    await page.waitForURL((url) => url.pathname === '/segments/new');
    await page.getByRole('heading', { name: 'New segment', level: 1 }).waitFor();
    await page.getByText('No conditions yet').waitFor();
    const liveCount = page.getByTestId('live-count');

    // 1. Orders: number of orders at least 2.
    await page.getByRole('button', { name: 'Add a condition to Rule' }).click();
    await page.getByRole('menuitem', { name: /^Orders/ }).click();
    const first = page.getByRole('group', { name: 'Condition 1' });
    await first.getByLabel('Operator').selectOption('gte');
    await first.getByLabel('Value').fill('2');
    await first.getByText('Number of orders is at least 2').waitFor();
    await expect.poll(() => liveCount.textContent(), POLL).toBe('3');

    // 2. Activity: did "Newsletter Subscribed" in the last 30 days.
    await page.getByRole('button', { name: 'Add a condition to Rule' }).click();
    await page.getByRole('menuitem', { name: /^Activity/ }).click();
    const second = page.getByRole('group', { name: 'Condition 2' });
    await second.getByLabel('Event').fill('Newsletter Subscribed');
    await second.getByLabel('Event').press('Escape');
    await second.getByText('Did “Newsletter Subscribed” in the last 30 days').waitFor();
    await expect.poll(() => liveCount.textContent(), POLL).toBe('2');
    // The sample names the two customers who match.
    const sample = page.getByRole('list', { name: 'A few of them' });
    await sample.getByRole('link', { name: 'Ana Alvarez' }).waitFor();
    await sample.getByRole('link', { name: 'Eva Evans' }).waitFor();
    expect(await sample.getByRole('listitem').count()).toBe(2);

    // Switching the group to "any of" widens it, and back.
    const root = page.getByRole('group', { name: 'Rule' });
    await root.locator('label', { hasText: 'any of' }).first().click();
    await expect.poll(() => liveCount.textContent(), POLL).toBe('5');
    await root.locator('label', { hasText: 'all of' }).first().click();
    await expect.poll(() => liveCount.textContent(), POLL).toBe('2');
    await screenshot(page, SHOTS, '02-builder-live-count');

    await page.getByLabel('Name').fill('Regulars on the newsletter');
    await page.getByRole('button', { name: 'Create segment' }).click();
    await page.waitForURL((url) => /^\/segments\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith('/new'));
    await page.getByRole('heading', { name: 'Regulars on the newsletter', level: 1 }).waitFor();
  });

  it('lists the members, and explains why a member is in and a non-member out', async () => {
    const members = page.getByRole('table', { name: 'Members of the segment' });
    await members.getByRole('link', { name: 'Ana Alvarez' }).waitFor();
    await members.getByRole('link', { name: 'Eva Evans' }).waitFor();
    expect(await members.getByRole('row').count()).toBe(3); // header + 2
    await page.getByText('2 customers in this segment').waitFor();
    await screenshot(page, SHOTS, '03-members');

    // Ana: in, every condition met, with what she actually has.
    await page.getByRole('button', { name: 'Why is Ana Alvarez in this segment?' }).click();
    const drawer = page.getByRole('dialog', { name: 'Why Ana Alvarez is in or out' });
    await drawer.getByText('In this segment', { exact: true }).waitFor();
    await drawer.getByText('This customer meets the rule').waitFor();
    const anaNodes = drawer.getByTestId('explain-node');
    expect(await anaNodes.count()).toBe(3);
    for (const matched of await anaNodes.evaluateAll((els) => els.map((e) => e.getAttribute('data-matched'))))
      expect(matched).toBe('true');
    await drawer.getByText('Number of orders is at least 2').waitFor();
    await drawer.getByText('Actually: 3', { exact: true }).waitFor();
    await drawer.getByText('Actually: 1 time', { exact: true }).waitFor();
    await screenshot(page, SHOTS, '04-explain-member');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });

    // Cai: out, two orders (met) but no subscription (not met).
    await page.getByRole('combobox', { name: 'Check any customer' }).fill('castro');
    await page.getByRole('option', { name: 'Cai Castro' }).click();
    const caiDrawer = page.getByRole('dialog', { name: 'Why Cai Castro is in or out' });
    await caiDrawer.getByText('Not in this segment', { exact: true }).waitFor();
    await caiDrawer.getByText('This customer does not meet the rule').waitFor();
    const caiNodes = await caiDrawer
      .getByTestId('explain-node')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-matched')));
    expect(caiNodes).toEqual(['false', 'true', 'false']);
    await caiDrawer.getByText('Actually: 2', { exact: true }).waitFor();
    await caiDrawer.getByText('Actually: 0 times', { exact: true }).waitFor();
    await screenshot(page, SHOTS, '05-explain-non-member');
    await page.keyboard.press('Escape');
  });

  it('keeps a static list by hand and from a CSV, and ticks the checklist step', async () => {
    await page.goto('/segments/new');
    await page.getByLabel('Name').fill('Tasting invitees');
    await page.getByRole('radio', { name: 'Static list' }).check();
    await page.getByRole('button', { name: 'Create segment' }).click();
    await page.getByRole('heading', { name: 'Tasting invitees', level: 1 }).waitFor();
    await page.getByText('Nobody in this segment').waitFor();

    await page.locator('input[type="file"]').setInputFiles({
      name: 'invitees.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('email\nben@example.com\ndee@example.com\nnobody@example.com\n', 'utf8'),
    });
    await page.getByText('2 customers added.').waitFor();
    await page.getByText('Line 4: nobody@example.com').waitFor();
    const members = page.getByRole('table', { name: 'Members of the segment' });
    await members.getByRole('link', { name: 'Dee Diaz' }).waitFor();
    await page.getByRole('button', { name: 'Remove Dee Diaz from the list' }).click();
    await members.getByRole('link', { name: 'Dee Diaz' }).waitFor({ state: 'detached' });
    await members.getByRole('link', { name: 'Ben Brown' }).waitFor();
    await screenshot(page, SHOTS, '06-static-list');

    await page.goto('/segments');
    await page.getByRole('link', { name: 'Regulars on the newsletter' }).waitFor();
    await page.getByRole('link', { name: 'Tasting invitees' }).waitFor();
    await screenshot(page, SHOTS, '07-segments-list');

    await page.goto('/');
    await expect.poll(() => page.getByTestId('checklist-segment').getAttribute('data-done'), POLL).toBe('true');
    expect(pageErrors).toEqual([]);
  });

  it('shows an analyst the segments and the dashboard without any write control, and the API refuses writes', async () => {
    const invitation = await apiCall(page, 'POST', '/api/v1/invitations', {
      email: 'amy@bakery.example',
      role: 'analyst',
    });
    expect(invitation.status).toBe(201);
    const token = new URL(invitation.body.link).pathname.split('/').pop();
    const joined = await fetch(`${server.url}/api/v1/invitations/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, password: 'numbers-and-rye-9', name: 'Amy Analyst' }),
    });
    expect(joined.status).toBe(200);
    const { context: analystContext, page: p } = await openPage(browser, server.url, pageErrors);
    await signIn(p, { email: 'amy@bakery.example', password: 'numbers-and-rye-9' });

    await p.goto('/segments');
    await p.getByRole('link', { name: 'Regulars on the newsletter' }).click();
    await p.getByRole('heading', { name: 'Regulars on the newsletter', level: 1 }).waitFor();
    await p.getByText('Your role can look at segments but not change them.').waitFor();
    // The rule reads, and counts (a preview is a read), but nothing can be changed.
    await expect.poll(() => p.getByTestId('live-count').textContent(), POLL).toBe('2');
    expect(await p.getByRole('group', { name: 'Condition 1' }).getByLabel('Value').isDisabled()).toBe(true);
    for (const name of ['Create segment', 'Save changes', 'Refresh now', 'Delete', 'Add a condition to Rule'])
      expect(await p.getByRole('button', { name }).count(), name).toBe(0);
    await p.getByRole('table', { name: 'Members of the segment' }).getByRole('link', { name: 'Ana Alvarez' }).waitFor();
    await screenshot(p, SHOTS, '08-analyst-segment');
    await p.goto('/segments');
    await p.getByRole('link', { name: 'Regulars on the newsletter' }).waitFor();
    expect(await p.getByRole('link', { name: 'New segment' }).count()).toBe(0);

    await p.goto('/dashboard');
    await p.getByRole('region', { name: 'Goals' }).getByText('Nobody has set a goal yet.').waitFor();
    expect(await p.getByRole('button', { name: 'New goal' }).count()).toBe(0);
    const spend = p.getByRole('region', { name: 'Marketing spend and cost per customer' });
    await spend.getByTestId('spend-table').waitFor();
    expect(await spend.getByRole('textbox').count()).toBe(0);

    const refused = await apiCall(p, 'POST', '/api/v1/segments', { name: 'Mine', kind: 'static' });
    expect(refused.status).toBe(403);
    await analystContext.close();
    expect(pageErrors).toEqual([]);
  });
});
