import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot, signIn } from './browser';
import { apiCall, sendBatch, setupWorkspace, until } from './data';
import { type KithServer, startServer } from './server';

/** Fitting and scoring run in the background: poll generously. */
const POLL = { timeout: 30_000 };
const JOB_TIMEOUT = 90_000;
const SHOTS = 'predictions-flow';
const owner = {
  workspaceName: 'Corner Bakery',
  name: 'Olga Owner',
  email: 'olga@bakery.example',
  password: 'sourdough-and-rye-8',
  currency: 'EUR',
  timezone: 'UTC',
};

const DAY_MS = 86_400_000;
const daysAgo = (d: number) => new Date(Date.now() - d * DAY_MS).toISOString();
const CATALOGUE = [
  { product_id: 'sourdough', name: 'Sourdough loaf', price: 6 },
  { product_id: 'rye', name: 'Rye bread', price: 5 },
  { product_id: 'croissant', name: 'Croissant', price: 2.5 },
  { product_id: 'jam', name: 'Apricot jam', price: 7 },
  { product_id: 'coffee', name: 'Coffee beans', price: 12 },
  { product_id: 'butter', name: 'Salted butter', price: 4 },
] as const;

interface Person {
  id: string;
  firstName: string;
  channel: 'web' | 'store';
  country: string;
  /** Days ago of each order, oldest first. */
  orders: number[];
}

/**
 * A year and a half of a bakery's orders, the same on every run: 48 customers with one to six
 * orders each, spaced three to eight weeks apart, two products per order (so products are bought
 * together); a third came through the shop counter, the rest through the website. Ana (c00) orders
 * five times, the last about two months ago.
 */
function people(): Person[] {
  const out: Person[] = [];
  for (let i = 0; i < 48; i++) {
    const count = i === 0 ? 5 : 1 + (i % 6);
    const first = 540 - ((i * 37) % 360);
    const gap = 20 + ((i * 13) % 40);
    const orders: number[] = [];
    for (let j = 0; j < count; j++) {
      const d = first - j * gap;
      if (d >= 2) orders.push(d);
    }
    out.push({
      id: `c${String(i).padStart(2, '0')}`,
      firstName: i === 0 ? 'Ana' : `Customer${i}`,
      channel: i % 3 === 0 ? 'store' : 'web',
      country: ['ES', 'FR', 'DE', 'PT'][i % 4] as string,
      orders,
    });
  }
  // Ana: five orders, 60 days apart, the last 60 days ago.
  (out[0] as Person).orders = [300, 240, 180, 120, 60];
  return out;
}

function messagesOf(p: Person, index: number) {
  const identify = {
    type: 'identify',
    userId: p.id,
    timestamp: daysAgo((p.orders[0] ?? 30) + 1),
    traits: { email: `${p.id}@example.com`, firstName: p.firstName, lastName: 'Baker', country: p.country },
  };
  const orders = p.orders.map((d, j) => {
    const a = CATALOGUE[(index + j) % CATALOGUE.length] as (typeof CATALOGUE)[number];
    const b = CATALOGUE[(index + j + 1) % CATALOGUE.length] as (typeof CATALOGUE)[number];
    const qty = 1 + ((index + j) % 3);
    return {
      type: 'track',
      userId: p.id,
      event: 'Order Completed',
      timestamp: daysAgo(d),
      properties: {
        order_id: `${p.id}-${j + 1}`,
        total: a.price * qty + b.price,
        currency: 'EUR',
        products: [
          { ...a, quantity: qty },
          { ...b, quantity: 1 },
        ],
      },
    };
  });
  return [identify, ...orders];
}

describe('predictions in a browser', () => {
  let server: KithServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const seeded = people();
  const orderCount = seeded.reduce((n, p) => n + p.orders.length, 0);
  let anaId = '';

  /** The refit job of the overview once it is no longer queued or running. */
  const jobDone = (jobId: string) =>
    until(
      async () => {
        const r = await apiCall(page, 'GET', '/api/v1/predictions');
        const job = r.body?.job;
        return job && job.id === jobId && (job.status === 'completed' || job.status === 'failed') ? job : null;
      },
      `prediction job ${jobId}`,
      JOB_TIMEOUT,
    );

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
      console.error(server?.logs().slice(-4000));
      await screenshot(page, SHOTS, 'failure').catch(() => undefined);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop({ signal: 'SIGKILL' }).catch(() => undefined);
  });

  it('says what to do next while nothing is fitted', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Predictions' }).click();
    await page.waitForURL((url) => url.pathname === '/predictions');
    await page.getByRole('heading', { name: 'Predictions', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'No predictions yet' }).waitFor();
    await page.getByRole('link', { name: 'Import orders' }).waitFor();
    await page.getByRole('link', { name: 'Connect a shop' }).waitFor();
    await page.getByRole('button', { name: 'Run predictions' }).waitFor();
    await screenshot(page, SHOTS, '01-empty');
  });

  it('receives a year and a half of orders through the API', async () => {
    const web = await apiCall(page, 'POST', '/api/v1/sources', { name: 'Bakery website', channel: 'web' });
    const store = await apiCall(page, 'POST', '/api/v1/sources', { name: 'Shop till', channel: 'store' });
    expect(web.status).toBe(201);
    expect(store.status).toBe(201);
    const byChannel = { web: [] as object[], store: [] as object[] };
    seeded.forEach((p, i) => {
      byChannel[p.channel].push(...messagesOf(p, i));
    });
    for (const [channel, key] of [
      ['web', web.body.writeKey],
      ['store', store.body.writeKey],
    ] as const) {
      const all = byChannel[channel];
      for (let i = 0; i < all.length; i += 100) await sendBatch(server, key, all.slice(i, i + 100));
    }
    await until(
      async () => {
        let seen = 0;
        let cursor: string | null = null;
        do {
          const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
          const r = await apiCall(page, 'GET', `/api/v1/orders?limit=200${query}`);
          seen += r.body.data?.length ?? 0;
          cursor = r.body.nextCursor ?? null;
        } while (cursor);
        return seen === orderCount;
      },
      `${orderCount} orders`,
      60_000,
    );
    const ana = await apiCall(page, 'GET', '/api/v1/customers?q=c00@example.com');
    anaId = ana.body.data?.[0]?.id;
    expect(anaId).toBeTruthy();
  });

  it('runs the first fit from the empty state, then refits with a progress bar', async () => {
    await page.goto('/predictions');
    await page.getByRole('heading', { name: 'No predictions yet' }).waitFor();
    const firstRun = page.waitForResponse(
      (r) => r.url().endsWith('/api/v1/predictions/run') && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: 'Run predictions' }).click();
    const first = await (await firstRun).json();
    expect(['queued', 'running', 'completed']).toContain(first.job.status);
    expect((await jobDone(first.job.id)).status).toBe('completed');
    await page.getByRole('heading', { name: 'Customer lifetime value', level: 2 }).waitFor(POLL);
    await screenshot(page, SHOTS, '02-first-fit');
    // The note of the first run closes by itself before the refit.
    const done = page.getByText('The models are refitted and every customer is rescored.');
    await expect.poll(() => done.count(), POLL).toBe(0);

    // Refit now: the run starts, the page follows it with a progress bar, then says it is done.
    const refit = page.waitForResponse(
      (r) => r.url().endsWith('/api/v1/predictions/run') && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: 'Refit now' }).click();
    const second = await (await refit).json();
    expect(second.job.id).not.toBe(first.job.id);
    if (second.job.status !== 'completed') {
      // The bar appears from the run's first answer, before the next poll.
      await page.getByRole('progressbar', { name: 'Refit progress' }).waitFor({ timeout: 5_000 });
      await screenshot(page, SHOTS, '03-refitting');
    }
    expect((await jobDone(second.job.id)).status).toBe('completed');
    await done.waitFor(POLL);
    await page.getByRole('progressbar', { name: 'Refit progress' }).waitFor({ state: 'detached' });
  });

  it('shows the CLV diagnostics: fit quality, parameters, charts with bars and lines', async () => {
    const overview = (await apiCall(page, 'GET', '/api/v1/predictions')).body;
    expect(overview.clv).toBeTruthy();
    const clv = page.getByRole('region', { name: 'Customer lifetime value' });
    expect(['Good fit', 'Fair fit', 'Poor fit']).toContain(await clv.getByTestId('clv-fit-quality').textContent());
    expect(await clv.getByTestId('clv-mean').textContent()).toMatch(/^€[\d,]+\.\d{2}$/);
    expect(await clv.getByTestId('clv-total').textContent()).toMatch(/^€[\d,]+\.\d{2}$/);
    // Every BG/NBD parameter has a number and a plain explanation.
    const params = clv.getByTestId('clv-parameters');
    for (const symbol of ['r', 'α', 'a', 'b']) {
      const row = params.getByRole('row', { name: new RegExp(`^${symbol} `) });
      expect(await row.getByRole('cell').first().textContent()).toMatch(/\d/);
    }
    expect(await params.getByTestId('clv-log-likelihood').textContent()).toMatch(/^-?[\d,.]+$/);
    expect(await clv.getByTestId('clv-reading').getByRole('listitem').count()).toBeGreaterThan(0);
    // Predicted against actual per frequency bucket (the orders give a check period), and the tracking curve.
    const buckets = clv.getByTestId('clv-buckets-chart');
    await buckets.locator('.recharts-bar-rectangle').first().waitFor({ state: 'attached' });
    expect(await buckets.locator('.recharts-bar-rectangle').count()).toBeGreaterThanOrEqual(
      overview.clv.diagnostics.buckets.length,
    );
    await clv.getByTestId('clv-tracking-chart').locator('.recharts-line-curve').first().waitFor();
    expect(await clv.getByTestId('clv-tracking-chart').locator('.recharts-line-curve').count()).toBe(2);

    // Churn: AUC against the 1 − P(alive) baseline, the weights, and the fairness table.
    const churn = page.getByRole('region', { name: 'Churn risk' });
    await churn.getByTestId('churn-auc').waitFor();
    if (overview.churn.auc !== null) expect(await churn.getByTestId('churn-auc').textContent()).toMatch(/^\d\.\d{2}$/);
    if (overview.churn.features.length > 0)
      await churn
        .getByTestId('churn-features-chart')
        .locator('.recharts-bar-rectangle')
        .first()
        .waitFor({ state: 'attached' });
    const fairness = page.getByRole('region', { name: 'Fairness by group' });
    await fairness.getByRole('heading', { name: 'Fairness by group' }).waitFor();
    const flagged = await fairness.locator('tr[data-flagged="true"]').count();
    const fair = (await apiCall(page, 'GET', '/api/v1/predictions/fairness')).body;
    expect(flagged).toBe(
      fair.models.reduce(
        (n: number, m: { groups: { flagged: boolean }[] }) => n + m.groups.filter((g) => g.flagged).length,
        0,
      ),
    );
    await screenshot(page, SHOTS, '04-diagnostics');
  });

  it('fits CLV by hand with a chosen end of calibration and time unit, from the keyboard', async () => {
    const form = page.getByRole('region', { name: 'Fit the CLV model', exact: true });
    const end = new Date(Date.now() - 120 * DAY_MS).toISOString().slice(0, 10);
    await form.getByLabel('End of the learning period').fill(end);
    await form.getByLabel('Time unit').selectOption('days');
    const fitted = page.waitForResponse((r) => r.url().endsWith('/api/v1/predictions/clv/fit'));
    await form.getByLabel('Time unit').press('Tab');
    await page.keyboard.press('Enter');
    const response = await fitted;
    expect(response.status()).toBe(200);
    const clv = await response.json();
    expect(clv.timeUnit).toBe('days');
    expect(clv.calibrationEnd.slice(0, 10)).toBe(end);
    await page.getByText(`CLV model version ${clv.version} is fitted.`).waitFor();
  });

  it('shows the customer 360 panel: scores with reasons, recommendations, and the personalization switch', async () => {
    await page.goto(`/customers/${anaId}`);
    const panel = page.getByRole('region', { name: 'Predictions', exact: true });
    await panel.getByTestId('customer-predictions').waitFor();
    await expect.poll(() => panel.getByTestId('prediction-clv').textContent(), POLL).toMatch(/^€[\d,]+\.\d{2}$/);
    expect(await panel.getByTestId('prediction-churn').textContent()).toMatch(/^\d+%(Low|Medium|High)$/);
    expect(await panel.getByTestId('prediction-p-alive').textContent()).toMatch(/^\d+%$/);
    expect(await panel.getByTestId('prediction-p30').textContent()).toMatch(/^\d+%$/);
    expect(await panel.getByTestId('prediction-expected').textContent()).toMatch(/Next 90 days: \d/);
    // Why: the factors that push the churn risk up or down, in words, and the model versions.
    const why = panel.getByTestId('prediction-why');
    await why.waitFor();
    const reasons = await why.getByRole('listitem').allTextContents();
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(reason).toMatch(/\((raises|lowers) the risk\)$/);
    expect(await panel.getByTestId('prediction-models').textContent()).toMatch(
      /Churn model version \d+ · CLV model version \d+/,
    );
    // Recommendations: Ana bought bread, jam and croissants together with others; some come "because".
    const recs = panel.getByTestId('recommendations');
    await recs.getByRole('listitem').first().waitFor(POLL);
    expect(await recs.getByText(/^Because they bought /).count()).toBeGreaterThan(0);
    await screenshot(page, SHOTS, '05-customer-panel');

    // She asks not to be profiled: scores are hidden and not used; then back on.
    const toggle = panel.getByRole('switch', { name: 'Use predictions for this customer' });
    expect(await toggle.isChecked()).toBe(true);
    await toggle.click({ force: true });
    await panel.getByTestId('personalization-off').waitFor();
    expect(await panel.getByTestId('prediction-clv').count()).toBe(0);
    const off = await apiCall(page, 'GET', `/api/v1/customers/${anaId}/predictions`);
    expect(off.body.personalization).toBe(false);
    await toggle.click({ force: true });
    await panel.getByTestId('prediction-clv').waitFor(POLL);
    expect((await apiCall(page, 'GET', `/api/v1/customers/${anaId}/predictions`)).body.personalization).toBe(true);
  });

  it('segments by a prediction: “Churn risk is at least 0” counts every scored customer', async () => {
    const overview = (await apiCall(page, 'GET', '/api/v1/predictions')).body;
    await page.goto('/segments/new');
    await page.getByRole('heading', { name: 'New segment', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Add a condition to Rule' }).click();
    await page.getByRole('menuitem', { name: /^Prediction/ }).click();
    const condition = page.getByRole('group', { name: 'Condition 1' });
    await condition.getByText('Churn risk is above 0.7').waitFor();
    await condition.getByLabel('Operator').selectOption('gte');
    await condition.getByLabel('Value').fill('0');
    await condition.getByText('Churn risk is at least 0').waitFor();
    await expect.poll(() => page.getByTestId('live-count').textContent(), POLL).toBe(String(overview.scoredCustomers));
  });

  it('shows predicted CLV by acquisition channel on the dashboard', async () => {
    await page.goto('/dashboard');
    const card = page.getByRole('region', { name: 'Predicted CLV by acquisition channel' });
    await card
      .getByTestId('clv-by-channel-chart')
      .locator('.recharts-bar-rectangle')
      .first()
      .waitFor({ ...POLL, state: 'attached' });
    const rows = (await apiCall(page, 'GET', '/api/v1/predictions/clv/by-channel')).body.rows;
    expect(await card.getByTestId('clv-by-channel-chart').locator('.recharts-bar-rectangle').count()).toBe(rows.length);
    expect(rows.map((r: { channel: string }) => r.channel).sort()).toEqual(['store', 'web']);
    await screenshot(page, SHOTS, '06-dashboard-card');
    expect(pageErrors).toEqual([]);
  });
});
