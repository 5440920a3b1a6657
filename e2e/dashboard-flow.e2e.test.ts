import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot, signIn } from './browser';
import { apiCall, orderMessage, sendBatch, setupWorkspace, until } from './data';
import { type KithServer, startServer } from './server';

/** Figures may take a moment on a busy machine: poll up to 15 s. */
const POLL = { timeout: 15_000 };
const SHOTS = 'dashboard-flow';
const owner = {
  workspaceName: 'Corner Bakery',
  name: 'Olga Owner',
  email: 'olga@bakery.example',
  password: 'sourdough-and-rye-8',
  currency: 'EUR',
  timezone: 'UTC',
};

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
/** The month before this one (UTC, as the workspace), `YYYY-MM`, and as the app writes it. */
const lastMonth = (() => {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return {
    key: d.toISOString().slice(0, 7),
    label: new Intl.DateTimeFormat('en', { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(d),
  };
})();

/**
 * A small known data set, every figure worked out by hand (all orders in the last day, so inside
 * every period the dashboard offers; the previous period is empty):
 *   Ana  (website)  orders €20 + €30    viewed, added to cart
 *   Ben  (shop)     order  €50          viewed, added to cart
 *   Cai  (website)  order  €100         viewed
 *   Dee  (website)  no order            viewed
 * Customers who bought 3 · new customers 3 · orders 4 · net revenue €200 · AOV €50 ·
 * repeat purchase rate 1/3 = 33.3 % · orders per customer 4/3 = 1.33 · revenue per customer €66.67.
 * Spend €90 on the website last month → CAC = 90 / 3 = €30 overall, 90 / 2 = €45 for the website.
 * Funnel Product Viewed → Product Added → Order Completed: 4 → 2 → 2.
 */
describe('the dashboard in a browser', () => {
  let server: KithServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const tile = (key: string) => page.getByTestId(`kpi-${key}`).getByTestId('kpi-value');

  beforeAll(async () => {
    server = await startServer();
    await setupWorkspace(server, owner);
    browser = await launchBrowser();
    ({ page } = await openPage(browser, server.url, pageErrors, { width: 1440, height: 1000 }));
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

  it('says what to do while there are no orders, and already takes last month’s marketing spend', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL((url) => url.pathname === '/dashboard');
    await page.getByRole('heading', { name: 'No orders yet' }).waitFor();
    await page.getByRole('link', { name: 'Import orders' }).waitFor();
    await page.getByRole('link', { name: 'Connect a store' }).waitFor();
    await screenshot(page, SHOTS, '01-dashboard-empty');

    // No channel has customers yet: add the website's column and enter €90 for last month.
    const spend = page.getByRole('region', { name: 'Marketing spend and cost per customer' });
    await spend.getByText('No channel has customers yet').waitFor();
    await spend.getByLabel('Add a channel').selectOption('web');
    const cell = spend.getByRole('textbox', { name: `Spend on Website in ${lastMonth.label}` });
    await cell.fill('90');
    await cell.press('Enter');
    await expect
      .poll(
        async () =>
          (await apiCall(page, 'GET', `/api/v1/metrics/spend?from=${lastMonth.key}-01&to=${lastMonth.key}-28`)).body
            .items,
        POLL,
      )
      .toEqual([{ month: lastMonth.key, channel: 'web', amount: 90, currency: 'EUR' }]);
    await screenshot(page, SHOTS, '02-spend-entered');
  });

  it('receives a small known data set through the API', async () => {
    const web = await apiCall(page, 'POST', '/api/v1/sources', { name: 'Bakery website', channel: 'web' });
    const store = await apiCall(page, 'POST', '/api/v1/sources', { name: 'Shop till', channel: 'store' });
    expect(web.status).toBe(201);
    expect(store.status).toBe(201);
    const person = (id: string, first: string) => ({
      type: 'identify',
      userId: id,
      traits: { email: `${id}@example.com`, firstName: first, lastName: 'Baker' },
      timestamp: hoursAgo(20),
    });
    const track = (id: string, event: string, h: number) => ({
      type: 'track',
      userId: id,
      event,
      timestamp: hoursAgo(h),
    });
    // Each customer's first event tells their acquisition channel: Ben's is the shop.
    await sendBatch(server, store.body.writeKey, [person('ben', 'Ben')]);
    await until(async () => (await apiCall(page, 'GET', '/api/v1/customers?q=ben')).body.data?.length === 1, 'Ben');
    await sendBatch(server, web.body.writeKey, [
      person('ana', 'Ana'),
      person('cai', 'Cai'),
      person('dee', 'Dee'),
      ...['ana', 'ben', 'cai', 'dee'].map((id) => track(id, 'Product Viewed', 12)),
      track('ana', 'Product Added', 11),
      track('ben', 'Product Added', 11),
      orderMessage('ana', 'W-1', 20, 10),
      orderMessage('ana', 'W-2', 30, 9),
      orderMessage('cai', 'W-3', 100, 7),
    ]);
    await sendBatch(server, store.body.writeKey, [orderMessage('ben', 'S-1', 50, 8)]);
    await until(
      async () => (await apiCall(page, 'GET', '/api/v1/orders?limit=50')).body.data?.length === 4,
      '4 orders',
    );
    await until(async () => {
      const r = await apiCall(page, 'POST', '/api/v1/segments/preview', {
        rule: { all: [{ type: 'event', event: 'Product Viewed', did: true }] },
      });
      return r.body.count === 4;
    }, 'the product views');
  });

  it('shows the KPI tiles with the figures worked out by hand, and the charts', async () => {
    await page.goto('/dashboard');
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    // Right after the orders, the server may answer from an older snapshot while it computes a new one.
    await expect.poll(() => tile('netRevenue').textContent(), { timeout: 45_000 }).toBe('€200.00');
    expect(await tile('orders').textContent()).toBe('4');
    expect(await tile('customers').textContent()).toBe('3');
    expect(await tile('newCustomers').textContent()).toBe('3');
    expect(await tile('aov').textContent()).toBe('€50.00');
    expect(await tile('repeatPurchaseRate').textContent()).toBe('33.3%');
    expect(await tile('purchaseFrequency').textContent()).toBe('1.33');
    expect(await tile('clv').textContent()).toBe('€66.67');
    // Cost to acquire a customer: last month's €90 over the 3 new customers; by channel, the website's 2.
    expect(await tile('cac').textContent()).toBe('€30.00');
    const spend = page.getByRole('region', { name: 'Marketing spend and cost per customer' });
    await expect.poll(() => spend.getByTestId('cac-web').textContent(), POLL).toBe('€45.00');
    expect(await spend.getByTestId('cac-store').textContent()).toBe('—');
    // Nothing happened in the previous period: no change to show.
    expect(await page.getByTestId('kpi-orders').getByTestId('kpi-change').textContent()).toBe(
      'Nothing to compare with',
    );

    // Revenue by channel: a stacked bar chart, with the totals per channel beside it.
    const revenue = page.getByRole('region', { name: 'Revenue by channel' });
    await revenue.locator('.recharts-bar-rectangle').first().waitFor();
    const totals = revenue.getByRole('list', { name: 'Revenue per channel in the period' });
    expect(await totals.getByRole('listitem').allTextContents()).toEqual(['Website: €150.00', 'Shop counter: €50.00']);
    // Cohorts: this month's three new customers, all there in month 0.
    const cohorts = page.getByTestId('cohort-table');
    await cohorts.getByRole('link', { name: /0 months later: 100%/ }).waitFor();
    // Funnel: 4 → 2 → 2.
    const steps = page.getByTestId('funnel-step');
    await expect.poll(() => steps.count(), POLL).toBe(3);
    expect(await steps.nth(0).textContent()).toContain('4 customers');
    expect(await steps.nth(1).textContent()).toContain('2 customers');
    expect(await steps.nth(2).textContent()).toContain('2 customers');
    // RFM and lifecycle: the three buyers are new.
    await page.getByTestId('rfm-grid').waitFor();
    await expect.poll(() => page.getByTestId('stage-new').textContent(), POLL).toContain('3');
    await screenshot(page, SHOTS, '03-dashboard');
  });

  it('opens the customers behind a tile as a segment', async () => {
    await page.getByRole('link', { name: 'See the customers behind “Repeat purchase rate”' }).click();
    await page.waitForURL((url) => url.pathname === '/segments/new' && url.searchParams.has('rule'));
    await page.getByText(/Number of orders is at least 2 between/).waitFor();
    await expect.poll(() => page.getByTestId('live-count').textContent(), POLL).toBe('1');
    await page.getByRole('list', { name: 'A few of them' }).getByRole('link', { name: 'Ana Baker' }).waitFor();
    await screenshot(page, SHOTS, '04-tile-customers');
    await page.goBack();
  });

  it('opens the customers of a lifecycle stage and of an RFM cell as a segment', async () => {
    await page.waitForURL((url) => url.pathname === '/dashboard');
    await page.getByTestId('stage-new').click();
    await page.waitForURL((url) => url.pathname === '/segments/new' && url.searchParams.has('rule'));
    await page.getByText('Is in the lifecycle stage New').first().waitFor();
    await expect.poll(() => page.getByTestId('live-count').textContent(), POLL).toBe('3');
    await page.goBack();
    await page.waitForURL((url) => url.pathname === '/dashboard');
    const cells = page.getByRole('list', { name: 'Customers and revenue per group' });
    await cells.getByRole('link').first().click();
    await page.waitForURL((url) => url.pathname === '/segments/new' && url.searchParams.has('rule'));
    await page
      .getByText(/Is in the RFM group/)
      .first()
      .waitFor();
    await page.getByTestId('live-count').waitFor();
    await page.goBack();
  });

  it('creates a goal and shows its progress', async () => {
    await page.waitForURL((url) => url.pathname === '/dashboard');
    const goals = page.getByRole('region', { name: 'Goals' });
    await goals.getByText('No goals yet').waitFor();
    await goals.getByRole('button', { name: 'New goal' }).click();
    const dialog = page.getByRole('dialog', { name: 'New goal' });
    await dialog.getByLabel('Key figure').selectOption('repeatPurchaseRate');
    await dialog.getByLabel('Target (%)').fill('40');
    await dialog.getByRole('button', { name: 'Create goal' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const goal = goals.getByTestId('goal');
    await goal.getByText('Repeat purchase rate 40%', { exact: true }).waitFor();
    await goal.getByText(/^Repeat purchase rate: 40% by /).waitFor();
    await goal.getByText(/^Now 33\.3% \(from 33\.3%\)/).waitFor();
    await screenshot(page, SHOTS, '05-goal');
  });

  it('filters by acquisition channel and period, and reads in dark mode', async () => {
    await page.getByLabel('Acquisition channel', { exact: true }).selectOption('web');
    await expect.poll(() => tile('customers').textContent(), POLL).toBe('2');
    await expect.poll(() => tile('netRevenue').textContent(), POLL).toBe('€150.00');
    await page.getByLabel('Acquisition channel', { exact: true }).selectOption('');
    await page.locator('label', { hasText: 'Last 30 days' }).click();
    await page.waitForURL((url) => url.searchParams.get('period') === '30d');
    await expect.poll(() => tile('orders').textContent(), POLL).toBe('4');
    await page.getByRole('button', { name: 'Switch to dark mode' }).click();
    await page.waitForTimeout(300);
    await screenshot(page, SHOTS, '06-dashboard-dark');
    await page.getByRole('button', { name: 'Switch to light mode' }).click();
    expect(pageErrors).toEqual([]);
  });
});
