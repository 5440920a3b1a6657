import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './browser';
import { type KithServer, startServer } from './server';

const SHOTS = 'invite-flow';

/** Creates the owner through the API and returns what an authenticated API call needs. */
async function setUpOwner(server: KithServer) {
  const response = await fetch(`${server.url}/api/v1/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      workspaceName: 'Corner Shop',
      name: 'Olga Owner',
      email: 'olga@corner.example',
      password: 'counter-and-till-7',
    }),
  });
  expect(response.status).toBe(201);
  const session = (await response.json()) as { csrfToken: string };
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { cookie, csrfToken: session.csrfToken };
}

describe('invitations and sign-in limits in a browser', () => {
  let server: KithServer;
  let browser: Browser;
  const pageErrors: string[] = [];

  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext({ baseURL: server.url, locale: 'en-US' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  };

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('accepts an invitation and signs the new member in', async () => {
    const owner = await setUpOwner(server);
    const created = await fetch(`${server.url}/api/v1/invitations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: owner.cookie, 'x-csrf-token': owner.csrfToken },
      body: JSON.stringify({ email: 'max@corner.example', role: 'marketer' }),
    });
    expect(created.status).toBe(201);
    const { link } = (await created.json()) as { link: string };
    const invitePath = new URL(link).pathname;
    expect(invitePath).toMatch(/^\/invite\//);

    const page = await newPage();
    await page.goto(invitePath);
    await page.getByRole('heading', { name: 'Join Corner Shop' }).waitFor();
    expect(await page.getByLabel('Email').inputValue()).toBe('max@corner.example');
    expect(await page.getByLabel('Role').inputValue()).toBe('Marketer');
    await screenshot(page, SHOTS, '01-invitation');

    await page.getByLabel('Your name').fill('Max Member');
    await page.getByLabel('Password', { exact: true }).fill('shelves-and-tills-9');
    await page.getByLabel('Password', { exact: true }).press('Enter');
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('banner').getByText('Corner Shop').waitFor();
    await page.getByRole('heading', { name: 'Welcome, Max Member' }).waitFor();
    await screenshot(page, SHOTS, '02-home');

    // The link works once.
    const again = await newPage();
    await again.goto(invitePath);
    await again.getByRole('heading', { name: 'This invitation cannot be used' }).waitFor();
    await again.getByText('This invitation was already used.').waitFor();
    await screenshot(again, SHOTS, '03-used-invitation');
  });

  it('tells how long to wait after too many failed sign-ins', async () => {
    const page = await newPage();
    await page.goto('/login');
    const password = page.getByLabel('Password', { exact: true });
    await page.getByLabel('Email').fill('olga@corner.example');
    const submit = page.getByRole('button', { name: 'Sign in' });
    const tooMany = page.getByText(/Too many attempts\. Try again in \d+ seconds?\./);
    // The server allows a few failures, then answers 429 with Retry-After.
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 429; attempt++) {
      await password.fill(`wrong-password-${attempt}`);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
        submit.click(),
      ]);
      status = response.status();
      if (status === 401) await page.getByText('Wrong email or password.').waitFor();
    }
    expect(status).toBe(429);
    await tooMany.waitFor();
    expect(await submit.isDisabled()).toBe(true);
    await screenshot(page, SHOTS, '04-rate-limited');
    expect(pageErrors).toEqual([]);
  });
});
