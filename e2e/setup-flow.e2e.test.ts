import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './browser';
import { type KithServer, startServer } from './server';

const SHOTS = 'setup-flow';
const owner = {
  workspaceName: 'Acme Bakery',
  name: 'Ada Baker',
  email: 'ada@acme.example',
  password: 'flour-and-water-42',
};

/** Waits until the page shows `pathname` (client-side navigations included). */
async function waitForPath(page: Page, pathname: string): Promise<void> {
  await page.waitForURL((url) => url.pathname === pathname, { timeout: 15_000 });
}

describe('first run in a browser', () => {
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
      viewport: { width: 1280, height: 800 },
    });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail' && page) await screenshot(page, SHOTS, 'failure').catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop({ signal: 'SIGKILL' }).catch(() => undefined);
  });

  it('sets up the workspace, signs out, rejects a wrong password and signs in again', async () => {
    // A new instance sends everyone to setup.
    await page.goto('/');
    await waitForPath(page, '/setup');
    await page.getByRole('heading', { name: 'Set up Kith' }).waitFor();
    // The first field has the focus, so typing starts right away.
    expect(await page.getByLabel('Workspace name').evaluate((el) => el === document.activeElement)).toBe(true);
    await screenshot(page, SHOTS, '01-setup');

    await page.getByLabel('Workspace name').fill(owner.workspaceName);
    await page.getByLabel('Your name').fill(owner.name);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password', { exact: true }).fill(owner.password);
    await page.getByLabel('Password', { exact: true }).press('Enter');

    // Signed in, at home, in the new workspace.
    await waitForPath(page, '/');
    await page.getByRole('banner').getByText(owner.workspaceName).waitFor();
    await page.getByRole('heading', { name: `Welcome, ${owner.name}` }).waitFor();
    await page.getByRole('link', { name: 'Open the API reference' }).waitFor();
    expect(await page.getByRole('link', { name: 'Open the API reference' }).getAttribute('href')).toBe('/api/docs');
    await screenshot(page, SHOTS, '02-home');

    // Sign out from the user menu.
    await page.getByRole('button', { name: 'Account menu' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await waitForPath(page, '/login');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshot(page, SHOTS, '03-login');

    // Setup is done: its page now leads away.
    await page.goto('/setup');
    await waitForPath(page, '/login');

    // A wrong password: the message sits next to the password field.
    await page.getByLabel('Email').fill(owner.email);
    const password = page.getByLabel('Password', { exact: true });
    await password.fill('not-the-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Wrong email or password.').waitFor();
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await password.getAttribute('aria-describedby')) ?? '';
    const errorId = await page.getByText('Wrong email or password.').getAttribute('id');
    expect(errorId).toBeTruthy();
    expect(describedBy.split(/\s+/)).toContain(errorId);
    await screenshot(page, SHOTS, '04-login-wrong-password');

    // The language switcher translates the page, and English comes back.
    await page.getByRole('button', { name: 'Language: English' }).click();
    await page.getByRole('menuitem', { name: 'Español' }).click();
    await page.getByRole('heading', { name: 'Iniciar sesión' }).waitFor();
    await page.getByRole('button', { name: 'Idioma: Español' }).click();
    await page.getByRole('menuitem', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // The closing menu gives the focus back to its button: let it, before typing elsewhere.
    await page.getByRole('menu').waitFor({ state: 'detached' });

    // The right password, submitted with Enter.
    await password.fill(owner.password);
    await password.press('Enter');
    await waitForPath(page, '/');
    await page.getByRole('banner').getByText(owner.workspaceName).waitFor();
    await page.getByRole('heading', { name: `Welcome, ${owner.name}` }).waitFor();
    await screenshot(page, SHOTS, '05-home-again');

    // The session survives a reload (cookie + GET /api/v1/session).
    await page.reload();
    await page.getByRole('banner').getByText(owner.workspaceName).waitFor();

    expect(pageErrors).toEqual([]);
  });

  it('stops cleanly on SIGINT', async () => {
    const code = await server.stop({ signal: 'SIGINT' });
    expect(code, server.logs()).toBe(0);
  });
});
