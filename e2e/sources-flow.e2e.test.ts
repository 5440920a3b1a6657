import { Analytics } from '@segment/analytics-node';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './browser';
import { type KithServer, startServer } from './server';

const SHOTS = 'sources-flow';
const owner = {
  workspaceName: 'Vigo Deli',
  name: 'Brais Owner',
  email: 'brais@vigo.example',
  password: 'olive-oil-and-salt-3',
};

describe('connecting a channel in a browser', () => {
  let server: KithServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    context = await browser.newContext({
      baseURL: server.url,
      locale: 'en-US',
      viewport: { width: 1280, height: 900 },
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await screenshot(page, SHOTS, 'failure').catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop({ signal: 'SIGKILL' }).catch(() => undefined);
  });

  const step = (id: string) => page.getByTestId(`checklist-${id}`);
  const waitDone = (id: string) =>
    page.waitForSelector(`[data-testid="checklist-${id}"][data-done="true"]`, { timeout: 30_000 });

  it('creates a source, copies its key, sees an SDK event arrive live, and the checklist ticks itself', async () => {
    // First run through the setup page.
    await page.goto('/');
    await page.waitForURL((url) => url.pathname === '/setup');
    await page.getByLabel('Workspace name').fill(owner.workspaceName);
    await page.getByLabel('Your name').fill(owner.name);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password', { exact: true }).fill(owner.password);
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.waitForURL((url) => url.pathname === '/');

    // The checklist: nothing done yet, the first step says what to do.
    await page.getByRole('heading', { name: 'Get started' }).waitFor();
    await page.getByTestId('checklist-progress').getByText('0 of 5 done').waitFor();
    expect(await step('connect').getAttribute('data-done')).toBe('false');
    await screenshot(page, SHOTS, '01-home-checklist');
    await step('connect').getByRole('link', { name: 'Connect a channel' }).click();

    // Sources: empty, then connect the website.
    await page.waitForURL((url) => url.pathname === '/sources');
    await page.getByRole('heading', { name: 'No channels connected yet' }).waitFor();
    await screenshot(page, SHOTS, '02-sources-empty');
    await page.getByRole('button', { name: 'Connect a channel' }).click();
    const dialog = page.getByRole('dialog', { name: 'Connect a channel' });
    await dialog.getByRole('button', { name: 'Create source' }).click();
    await dialog.getByText('This field is required').waitFor();
    await dialog.getByLabel('Name').fill('Website');
    const channel = dialog.getByRole('combobox', { name: 'Channel' });
    await channel.click();
    await page.getByRole('option', { name: 'Online store' }).click();
    expect(await channel.inputValue()).toBe('Online store');
    await channel.click();
    await page.getByRole('option', { name: 'Website' }).click();
    expect(await channel.inputValue()).toBe('Website');
    await screenshot(page, SHOTS, '03-create-source');
    await dialog.getByRole('button', { name: 'Create source' }).click();
    await page.waitForURL((url) => /^\/sources\/src_/.test(url.pathname));
    await page.getByRole('heading', { name: 'Website' }).waitFor();

    // The key is hidden until asked; copying puts the whole key on the clipboard.
    const keyField = page.getByTestId('write-key');
    expect(await keyField.inputValue()).toContain('•');
    await page.getByRole('button', { name: 'Copy write key' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    const writeKey = await page.evaluate(() => navigator.clipboard.readText());
    expect(writeKey).toMatch(/^wk_/);
    await page.getByRole('button', { name: 'Show the key' }).click();
    expect(await keyField.inputValue()).toBe(writeKey);
    // The snippets carry this key and this host.
    const snippet = page.getByRole('tabpanel', { name: 'Website (analytics.js)' });
    expect(await snippet.textContent()).toContain(
      `'Segment.io': { apiKey: '${writeKey}', apiHost: '127.0.0.1:${server.port}/v1'`,
    );
    await page.getByRole('tab', { name: 'Node.js' }).click();
    expect(await page.getByRole('tabpanel', { name: 'Node.js' }).textContent()).toContain(`host: '${server.url}'`);
    await screenshot(page, SHOTS, '04-source-install');

    // Live events: open the debugger, then send with the Segment Node SDK using the copied key.
    await page.getByRole('tab', { name: 'Live events' }).click();
    await page.getByTestId('live-state').getByText('Listening for events').waitFor();
    await page.getByText('No events yet.').waitFor();
    const analytics = new Analytics({ writeKey, host: server.url, flushAt: 2, maxRetries: 1 });
    const errors: unknown[] = [];
    analytics.on('error', (e) => errors.push(e));
    analytics.identify({ userId: 'cust-42', traits: { email: 'lucia@vigo.example', firstName: 'Lucía' } });
    analytics.track({ userId: 'cust-42', event: 'Order Completed', properties: { total: 18.4, currency: 'EUR' } });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(errors).toEqual([]);
    const log = page.getByRole('log', { name: 'Live events' });
    await log.getByRole('button', { name: 'Details of Order Completed' }).waitFor({ timeout: 15_000 });
    await log.getByRole('button', { name: 'Details of identify' }).waitFor();
    await page.getByText('2 events').waitFor();
    await page.getByRole('button', { name: 'Details of Order Completed' }).click();
    await log.getByText('"total": 18.4').waitFor();
    await screenshot(page, SHOTS, '05-live-events');

    // A refused event lands in quarantine with its reason; replaying it as it was still fails, and says so.
    const bad = await fetch(`${server.url}/v1/track`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
      },
      body: JSON.stringify({ userId: 'cust-42' }),
    });
    expect(bad.status).toBe(400);
    await page.getByRole('tab', { name: 'Quarantine' }).click();
    const entry = page.getByTestId('quarantine-entry');
    await entry.waitFor();
    await page.getByText('1 waiting').waitFor();
    expect(await entry.textContent()).toContain('event');
    await screenshot(page, SHOTS, '06-quarantine');
    await entry.getByRole('button', { name: /^Replay the event received/ }).click();
    await entry.getByRole('alert').waitFor();
    await entry.getByRole('button', { name: /^Discard the event received/ }).click();
    await page.getByText('Nothing here.').waitFor();
    await page.locator('label', { hasText: 'Discarded' }).click();
    await page.getByTestId('quarantine-entry').waitFor();

    // Rotating the key keeps the old one for the grace period.
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Rotate key' }).click();
    await page
      .getByRole('dialog', { name: 'Rotate the write key?' })
      .getByRole('button', { name: 'Rotate key' })
      .click();
    await page.getByText('New write key issued.').waitFor();
    await page.getByRole('tab', { name: 'Install' }).click();
    await page.getByText(/The previous key keeps working until/).waitFor();
    await page.getByRole('button', { name: 'Show the key' }).click();
    const rotated = await page.getByTestId('write-key').inputValue();
    expect(rotated).toMatch(/^wk_/);
    expect(rotated).not.toBe(writeKey);
    await screenshot(page, SHOTS, '07-rotated');

    // Back home, the first three steps have ticked themselves: a channel, a first event, a first
    // customer; the next one offers the first segment.
    await page.getByRole('navigation').getByRole('link', { name: 'Home' }).click();
    await waitDone('connect');
    await waitDone('data');
    await waitDone('customer');
    await page.getByText('3 of 5 done').waitFor();
    expect(await step('segment').getAttribute('data-done')).toBe('false');
    await step('segment').getByRole('link', { name: 'Create a segment' }).waitFor();
    await screenshot(page, SHOTS, '08-home-all-done');

    // The list shows the source and when it last heard from it.
    await page.getByRole('navigation').getByRole('link', { name: 'Sources' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Website' });
    await row.waitFor();
    expect(await row.textContent()).not.toContain('Never');
    await screenshot(page, SHOTS, '09-sources-list');
    expect(pageErrors).toEqual([]);
  });

  it('an analyst sees sources and the debugger but no write buttons, and the API refuses writes', async () => {
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: owner.email, password: owner.password }),
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const invite = await fetch(`${server.url}/api/v1/invitations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ email: 'ana@vigo.example', role: 'analyst' }),
    });
    const { link } = (await invite.json()) as { link: string };

    const analystContext = await browser.newContext({ baseURL: server.url, locale: 'en-US' });
    const analyst = await analystContext.newPage();
    analyst.setDefaultTimeout(20_000);
    await analyst.goto(new URL(link).pathname);
    await analyst.getByLabel('Your name').fill('Ana Analyst');
    await analyst.getByLabel('Password', { exact: true }).fill('numbers-and-charts-5');
    await analyst.getByRole('button', { name: 'Join workspace' }).click();
    await analyst.waitForURL((url) => url.pathname === '/');

    await analyst.getByRole('navigation').getByRole('link', { name: 'Sources' }).click();
    await analyst.getByRole('link', { name: 'Website' }).click();
    await analyst.getByText('Your role can look at this source but not change it.').waitFor();
    expect(await analyst.getByRole('tab', { name: 'Settings' }).count()).toBe(0);
    await analyst.getByRole('tab', { name: 'Quarantine' }).click();
    await analyst.locator('label', { hasText: 'Discarded' }).click();
    await analyst.getByTestId('quarantine-entry').waitFor();
    expect(await analyst.getByRole('button', { name: /^(Replay|Discard)/ }).count()).toBe(0);
    await analyst.getByRole('navigation').getByRole('link', { name: 'Sources' }).click();
    await analyst.getByRole('row').filter({ hasText: 'Website' }).waitFor();
    expect(await analyst.getByRole('button', { name: 'Connect a channel' }).count()).toBe(0);
    await analyst.getByRole('navigation').getByRole('link', { name: 'Imports' }).click();
    await analyst.getByText('Nobody has imported a file yet. An owner, admin or marketer can.').waitFor();
    expect(await analyst.getByRole('link', { name: 'Import a CSV file' }).count()).toBe(0);
    await screenshot(analyst, SHOTS, '10-analyst-sources');

    // The server agrees: an analyst's session cannot create a source.
    const refused = await analyst.evaluate(async () => {
      const session = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const res = await fetch('/api/v1/sources', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ name: 'Sneaky', channel: 'web' }),
      });
      return res.status;
    });
    expect(refused).toBe(403);
    await analystContext.close();
  });
});
