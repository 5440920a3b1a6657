import { Analytics } from '@segment/analytics-node';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { customersEn } from '../apps/web/src/customers/locales/en';
import { customersEs } from '../apps/web/src/customers/locales/es';
import { launchBrowser, screenshot } from './browser';
import { type KithServer, startServer } from './server';

const SHOTS = 'customers-flow';
const owner = {
  workspaceName: 'Corner Bakery',
  name: 'Olga Owner',
  email: 'olga@bakery.example',
  password: 'sourdough-and-rye-8',
};

interface Source {
  id: string;
  writeKey: string;
}

/** Sends events the way a shop's own code would: the published Segment Node client, pointed at Kith. */
async function sendWithSegment(server: KithServer, writeKey: string, send: (a: Analytics) => void) {
  const analytics = new Analytics({ writeKey, host: server.url, flushAt: 20, flushInterval: 200, maxRetries: 2 });
  const errors: unknown[] = [];
  analytics.on('error', (e) => errors.push(e));
  send(analytics);
  await analytics.closeAndFlush({ timeout: 15_000 });
  expect(errors).toEqual([]);
}

/** Every English string of the customers pages that reads differently in Spanish (placeholders cut out). */
function englishOnlyStrings(): string[] {
  const out = new Set<string>();
  const walk = (en: unknown, es: unknown) => {
    if (typeof en === 'string') {
      if (en === es) return;
      for (const part of en.split(/\{\{\w+\}\}/)) if (part.trim().length >= 8) out.add(part.trim());
      return;
    }
    for (const key of Object.keys(en as object)) walk((en as never)[key], (es as never)[key]);
  };
  walk(customersEn, customersEs);
  return [...out];
}

describe('customers list and customer 360 in a browser', () => {
  let server: KithServer;
  let browser: Browser;
  let ownerContext: BrowserContext;
  let page: Page;
  let customerId = '';
  const pageErrors: string[] = [];

  /** A JSON call with the page's session (cookie + CSRF token), as the web app makes it. */
  const apiCall = async (p: Page, method: 'GET' | 'POST', path: string, body?: unknown) => {
    const session = await (await p.request.get('/api/v1/session')).json();
    const response = await p.request.fetch(path, {
      method,
      headers: { 'x-csrf-token': session.csrfToken, 'content-type': 'application/json' },
      data: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status(), body: response.status() === 204 ? null : await response.json() };
  };

  const newPage = async (context: BrowserContext) => {
    const p = await context.newPage();
    p.setDefaultTimeout(15_000);
    p.on('pageerror', (error) => pageErrors.push(error.message));
    return p;
  };

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    ownerContext = await browser.newContext({
      baseURL: server.url,
      locale: 'en-US',
      viewport: { width: 1400, height: 900 },
    });
    page = await newPage(ownerContext);
  });

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail' && page) {
      console.error('page errors:', pageErrors);
      await screenshot(page, SHOTS, 'failure').catch(() => undefined);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop({ signal: 'SIGKILL' }).catch(() => undefined);
  });

  it('first run: the empty customers page says how to get the first customers', async () => {
    await page.goto('/');
    await page.waitForURL((url) => url.pathname === '/setup');
    await page.getByLabel('Workspace name').fill(owner.workspaceName);
    await page.getByLabel('Your name').fill(owner.name);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password', { exact: true }).fill(owner.password);
    await page.getByLabel('Password', { exact: true }).press('Enter');
    await page.waitForURL((url) => url.pathname === '/');

    await page.getByRole('navigation').getByRole('link', { name: 'Customers' }).click();
    await page.waitForURL((url) => url.pathname === '/customers');
    await page.getByRole('heading', { name: 'No customers yet' }).waitFor();
    await page.getByRole('link', { name: 'Connect a source' }).waitFor();
    await page.getByRole('link', { name: 'Import a CSV' }).waitFor();
    await page.getByText('npx kith demo').waitFor();
    await screenshot(page, SHOTS, '01-customers-empty');
  });

  it('events from two channels, sent with the Segment client, make one customer searchable within seconds', async () => {
    const web = await apiCall(page, 'POST', '/api/v1/sources', { name: 'Bakery website', channel: 'web' });
    const store = await apiCall(page, 'POST', '/api/v1/sources', { name: 'Shop till', channel: 'store' });
    expect(web.status).toBe(201);
    expect(store.status).toBe(201);
    const webSource = web.body as Source;
    const storeSource = store.body as Source;

    const t0 = Date.now() - 60 * 60_000;
    const at = (minutes: number) => new Date(t0 + minutes * 60_000);
    await sendWithSegment(server, webSource.writeKey, (a) => {
      a.page({ anonymousId: 'anon-maria', name: 'Croissants', properties: { path: '/croissants' }, timestamp: at(0) });
      a.identify({
        anonymousId: 'anon-maria',
        userId: 'maria-1',
        traits: { email: 'maria@example.com', firstName: 'María', lastName: 'Rossi', timezone: 'America/Mexico_City' },
        timestamp: at(1),
      });
      a.track({ userId: 'maria-1', event: 'Newsletter Subscribed', properties: { list: 'weekly' }, timestamp: at(2) });
      // Another customer, so the search has something to leave out.
      a.identify({ userId: 'bruno-1', traits: { email: 'bruno@example.com', name: 'Bruno Díaz' }, timestamp: at(3) });
    });
    await sendWithSegment(server, storeSource.writeKey, (a) => {
      a.track({
        userId: 'maria-1',
        event: 'Order Completed',
        properties: {
          order_id: 'S-1001',
          total: 12.5,
          currency: 'EUR',
          products: [
            { product_id: 'croissant', name: 'Butter croissant', price: 2.5, quantity: 3 },
            { product_id: 'baguette', name: 'Baguette', price: 5, quantity: 1 },
          ],
        },
        timestamp: at(30),
      });
      // The same email under another user id: Kith keeps the two apart and asks a person.
      a.identify({ userId: 'maria-till', traits: { email: 'maria@example.com', name: 'Maria R.' }, timestamp: at(31) });
    });

    // Search in the list until the processor has made the profile (it should take seconds).
    const started = Date.now();
    await page.getByLabel('Search customers').fill('rossi');
    await page.waitForURL((url) => url.searchParams.get('q') === 'rossi');
    const row = page.getByRole('link', { name: 'María Rossi' });
    await expect
      .poll(
        async () => {
          if ((await row.count()) === 0) await page.reload();
          await row
            .or(page.getByText('No customers match'))
            .first()
            .waitFor({ timeout: 5_000 })
            .catch(() => undefined);
          return row.count();
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(1);
    expect(Date.now() - started).toBeLessThan(20_000);
    await page.getByRole('link', { name: 'Bruno Díaz' }).waitFor({ state: 'detached' });

    // The whole list: both customers, each with the channels they were seen on.
    await page.getByLabel('Search customers').fill('');
    await page.getByRole('link', { name: 'Bruno Díaz' }).waitFor();
    const maria = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'María Rossi' }) });
    await maria.getByRole('img', { name: 'Website' }).waitFor();
    await maria.getByRole('img', { name: 'Shop counter' }).waitFor();
    await maria.getByText('€12.50').waitFor();
    await screenshot(page, SHOTS, '02-customers-list');
  });

  it('saves the filtered list as a view and opens it again', async () => {
    await page.getByRole('button', { name: /^Filters/ }).click();
    await page.getByRole('dialog', { name: 'Filter customers' }).waitFor();
    await page.getByRole('combobox', { name: 'Seen on channel' }).click();
    await page.getByRole('option', { name: 'Shop counter' }).click();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('Channel: Shop counter').waitFor();
    await page.getByRole('link', { name: 'Bruno Díaz' }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'María Rossi' }).waitFor();

    await page.getByRole('button', { name: /^Saved views/ }).click();
    await page.getByRole('menuitem', { name: 'Save as a new view…' }).click();
    await page.getByLabel('View name').fill('Shop regulars');
    await page.getByRole('button', { name: 'Save view' }).click();
    await page.getByRole('button', { name: 'Saved views: Shop regulars' }).waitFor();

    // Back to everyone, then the view again from the menu.
    await page.getByRole('button', { name: /^Saved views/ }).click();
    await page.getByRole('menuitem', { name: 'All customers' }).click();
    await page.getByRole('link', { name: 'Bruno Díaz' }).waitFor();
    await page.getByRole('button', { name: /^Saved views/ }).click();
    await page.getByRole('menuitem', { name: 'Shop regulars' }).click();
    await page.getByRole('link', { name: 'Bruno Díaz' }).waitFor({ state: 'detached' });
    expect(new URL(page.url()).searchParams.get('channel')).toBe('store');

    // Bulk tags on the selected rows.
    await page.getByRole('checkbox', { name: 'Select every customer shown' }).check();
    await page.getByText('2 customers selected').first().waitFor();
    await page.getByRole('button', { name: 'Add or remove tags' }).click();
    const dialog = page.getByRole('dialog', { name: 'Tags for 2 customers' });
    const add = dialog.getByLabel('Tags to add', { exact: true }).and(page.locator('input'));
    await add.fill('till');
    await add.press('Enter');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Tags changed on 2 customers.').waitFor();
    await page.getByRole('button', { name: /^Columns/ }).click();
    // The columns live in the page address: the box turns checked once the address has changed.
    const tagsColumn = page.getByRole('checkbox', { name: 'Tags', exact: true });
    await tagsColumn.click();
    await expect.poll(() => tagsColumn.isChecked(), { timeout: 10_000 }).toBe(true);
    await page.keyboard.press('Escape');
    await page.getByRole('row').filter({ hasText: 'María Rossi' }).getByText('till', { exact: true }).waitFor();
  });

  it('the 360 page shows identifiers, key facts, the timeline across both channels, orders and a pending conflict', async () => {
    await page.getByRole('link', { name: 'María Rossi' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/customers/cus_'));
    customerId = new URL(page.url()).pathname.split('/').pop() as string;
    await page.getByRole('heading', { level: 1, name: 'María Rossi' }).waitFor();
    await page.getByText('maria@example.com').first().waitFor();
    await page
      .getByLabel('Key facts')
      .getByText(/America\/Mexico_City/)
      .waitFor();

    const facts = page.getByRole('list', { name: 'Key facts' }).or(page.getByLabel('Key facts'));
    await facts.getByText('€12.50').first().waitFor();

    const timeline = page.getByRole('region', { name: 'Timeline' });
    await timeline.getByText('Newsletter Subscribed').waitFor();
    await timeline.getByText('Viewed Croissants').waitFor();
    await timeline.getByText('Order S-1001: €12.50').or(timeline.getByText('Order #S-1001: €12.50')).waitFor();
    await timeline.getByRole('img', { name: 'Website' }).first().waitFor();
    await timeline.getByRole('img', { name: 'Shop counter' }).first().waitFor();

    // Only the shop counter.
    await timeline.getByRole('combobox', { name: 'Channel' }).click();
    await page.getByRole('option', { name: 'Shop counter' }).click();
    await timeline.getByText('Newsletter Subscribed').waitFor({ state: 'detached' });
    await timeline.getByRole('img', { name: 'Website' }).first().waitFor({ state: 'detached' });
    await timeline.getByRole('img', { name: 'Shop counter' }).first().waitFor();
    await timeline.getByRole('combobox', { name: 'Channel' }).click();
    await page.getByRole('option', { name: 'All channels' }).click();
    await timeline.getByText('Newsletter Subscribed').waitFor();

    // The order opens to its line items.
    const orders = page.getByRole('region', { name: 'Orders' });
    await orders.getByRole('button', { name: /Show items of order/ }).click();
    await orders.getByText('Butter croissant').waitFor();
    await orders.getByRole('cell', { name: '€7.50' }).waitFor();

    // The possible duplicate from the shop till.
    await page.getByRole('heading', { name: '1 possible duplicate to review' }).waitFor();
    await page.getByRole('button', { name: 'Merge into this profile' }).waitFor();
    await screenshot(page, SHOTS, '03-customer-360');
  });

  it('an analyst sees both pages without any write button, and the API refuses their writes', async () => {
    const invite = await apiCall(page, 'POST', '/api/v1/invitations', { email: 'ana@bakery.example', role: 'analyst' });
    expect(invite.status).toBe(201);
    const context = await browser.newContext({
      baseURL: server.url,
      locale: 'en-US',
      viewport: { width: 1400, height: 900 },
    });
    try {
      const analyst = await newPage(context);
      await analyst.goto(new URL(invite.body.link).pathname);
      await analyst.getByLabel('Your name').fill('Ana Analyst');
      await analyst.getByLabel('Password', { exact: true }).fill('numbers-and-charts-3');
      await analyst.getByLabel('Password', { exact: true }).press('Enter');
      await analyst.waitForURL((url) => url.pathname === '/');

      await analyst.goto('/customers');
      await analyst.getByRole('link', { name: 'María Rossi' }).waitFor();
      await analyst.getByText('Your role can view customers but not change them.').waitFor();
      expect(await analyst.getByRole('checkbox').count()).toBe(0);
      await analyst.getByRole('button', { name: /^Saved views/ }).click();
      await analyst.getByRole('menuitem', { name: 'Shop regulars' }).waitFor();
      expect(await analyst.getByRole('menuitem', { name: /Save|Rename|Delete/ }).count()).toBe(0);
      await analyst.keyboard.press('Escape');
      await screenshot(analyst, SHOTS, '04-analyst-customers');

      await analyst.goto(`/customers/${customerId}`);
      await analyst.getByRole('heading', { level: 1, name: 'María Rossi' }).waitFor();
      await analyst.getByRole('heading', { name: '1 possible duplicate to review' }).waitFor();
      await analyst.getByRole('region', { name: 'Timeline' }).getByText('Newsletter Subscribed').waitFor();
      for (const name of [/Merge/, /Keep apart/, /Add trait/, /Save notes/, /^Edit /, /^Remove /]) {
        expect(await analyst.getByRole('button', { name }).count(), String(name)).toBe(0);
      }
      expect(await analyst.getByLabel('Owner').count()).toBe(0);
      expect(await analyst.getByLabel('Notes').count()).toBe(0);
      // Consent: read, not changed.
      await analyst.getByRole('region', { name: 'Consent' }).getByText('Not asked').first().waitFor();
      expect(await analyst.getByRole('form', { name: 'Change consent' }).count()).toBe(0);
      await screenshot(analyst, SHOTS, '05-analyst-customer-360');

      const refused = await apiCall(analyst, 'POST', '/api/v1/customers/views', { name: 'Mine' });
      expect(refused.status).toBe(403);
      const patch = await analyst.request.fetch(`/api/v1/customers/${customerId}`, {
        method: 'PATCH',
        headers: {
          'x-csrf-token': (await (await analyst.request.get('/api/v1/session')).json()).csrfToken,
          'content-type': 'application/json',
        },
        data: JSON.stringify({ notes: 'not allowed' }),
      });
      expect(patch.status()).toBe(403);
    } finally {
      await context.close();
    }
  });

  it('the owner edits tags and notes, and merges the duplicate with a reason', async () => {
    await page.goto(`/customers/${customerId}`);
    await page.getByRole('heading', { level: 1, name: 'María Rossi' }).waitFor();

    const tags = page.getByLabel('Tags', { exact: true }).and(page.locator('input'));
    await tags.fill('regular');
    await tags.press('Enter');
    await page.getByLabel('Notes').fill('Likes her croissants warm.');
    await page.getByRole('button', { name: 'Save notes' }).click();
    await page.getByText('Saved', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Merge into this profile' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/Reason/).fill('Same person: she paid at the till');
    await dialog.getByRole('button', { name: 'Merge' }).click();
    await page.getByRole('heading', { name: '1 possible duplicate to review' }).waitFor({ state: 'detached' });
    const history = page.getByRole('region', { name: 'Merge history' });
    await history.getByText('Reason: Same person: she paid at the till').waitFor();

    // Each trait keeps its latest value: the till's later name wins. Everything stays after a reload.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Maria R.' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/customers/${customerId}`);
    await expect.poll(() => page.getByLabel('Notes').inputValue()).toBe('Likes her croissants warm.');
    await page.getByRole('region', { name: 'Profile' }).getByText('regular', { exact: true }).waitFor();
    await screenshot(page, SHOTS, '06-customer-360-after-merge');
    expect(pageErrors).toEqual([]);
  });

  it('the owner records email consent from the keyboard; it shows on the card and the timeline', async () => {
    await page.goto(`/customers/${customerId}`);
    const card = page.getByRole('region', { name: 'Consent' });
    const email = card.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Email' }) });
    await email.getByText('Not asked').first().waitFor();
    // The form starts at email, marketing, subscribed: Tab from the status to Save, and Enter.
    const form = page.getByRole('form', { name: 'Change consent' });
    await form.getByRole('combobox', { name: 'Status' }).focus();
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Save');
    await page.keyboard.press('Enter');
    await form.getByText('Saved.').waitFor();
    await email.getByText('Subscribed', { exact: true }).waitFor();
    await email.getByText(/^Kith, /).waitFor();
    await page.getByRole('region', { name: 'Timeline' }).getByText('Email marketing: subscribed').waitFor();
    await screenshot(page, SHOTS, '06b-customer-360-consent');
  });

  it('in Spanish and dark mode, both pages show no English string of their own', async () => {
    const context = await browser.newContext({
      baseURL: server.url,
      locale: 'es-ES',
      colorScheme: 'dark',
      viewport: { width: 1400, height: 900 },
      storageState: await ownerContext.storageState(),
    });
    try {
      const es = await newPage(context);
      await es.addInitScript(() => localStorage.setItem('kith.language', 'es'));
      const english = englishOnlyStrings();
      expect(english.length).toBeGreaterThan(100);
      const leftovers = async () => {
        // Event names are the shop's own words, sent in English by this test: not interface strings.
        const text = (await es.locator('body').innerText())
          .replaceAll('Order Completed', '')
          .replaceAll('Newsletter Subscribed', '');
        return english.filter((s) => text.includes(s));
      };

      await es.goto('/customers');
      await es.getByRole('heading', { name: 'Clientes' }).waitFor();
      await es.getByRole('link', { name: 'Bruno Díaz' }).waitFor();
      expect(await leftovers()).toEqual([]);
      expect(await es.evaluate(() => document.documentElement.getAttribute('data-mantine-color-scheme'))).toBe('dark');
      await screenshot(es, SHOTS, '07-customers-list-es-dark');

      await es.goto(`/customers/${customerId}`);
      await es.getByRole('region', { name: 'Actividad' }).getByText('Newsletter Subscribed').waitFor();
      await es.getByRole('region', { name: 'Historial de fusiones' }).waitFor();
      expect(await leftovers()).toEqual([]);
      await screenshot(es, SHOTS, '08-customer-360-es-dark');
    } finally {
      await context.close();
    }
    expect(pageErrors).toEqual([]);
  });
});
