import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './browser';
import { type KithServer, startServer } from './server';

const SHOTS = 'settings-flow';
const owner = {
  workspace: 'Panadería Sol',
  name: 'Olga Owner',
  email: 'olga@sol.example',
  password: 'flour-and-sun-42',
};
const analyst = { name: 'Ana Analyst', email: 'ana@sol.example', password: 'numbers-only-77' };

async function waitForPath(page: Page, pathname: string): Promise<void> {
  await page.waitForURL((url) => url.pathname === pathname, { timeout: 15_000 });
}

/** Calls the API from inside the page, as the app does: the session cookie plus its CSRF token. */
async function apiFromPage(page: Page, method: string, path: string, body?: unknown) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const session = await (await fetch('/api/v1/session')).json();
      const res = await fetch(path, {
        method,
        headers: {
          'x-csrf-token': session.csrfToken,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    { method, path, body },
  );
}

/** Picks an option of a Mantine Select by typing into it. */
async function choose(page: Page, label: string, option: string | RegExp) {
  const input = page.getByRole('combobox', { name: label, exact: true });
  await input.click();
  await page.getByRole('option', { name: option }).first().click();
}

describe('settings, roles and password resets in a browser', () => {
  let server: KithServer;
  let browser: Browser;
  let ownerContext: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  let inviteLink = '';

  const newContext = async () => {
    const context = await browser.newContext({
      baseURL: server.url,
      locale: 'en-US',
      viewport: { width: 1280, height: 860 },
    });
    return context;
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
    ownerContext = await newContext();
    page = await newPage(ownerContext);
  });

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail' && page) await screenshot(page, SHOTS, 'failure').catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop({ signal: 'SIGKILL' }).catch(() => undefined);
  });

  it('sets up the business with its country, currency, time zone and formats', async () => {
    await page.goto('/setup');
    await page.getByRole('heading', { name: 'Set up Kith' }).waitFor();
    await page.getByLabel('Workspace name').fill(owner.workspace);
    // Choosing a country suggests its currency and formats.
    await choose(page, 'Country', 'Spain');
    expect(await page.getByRole('combobox', { name: 'Currency', exact: true }).inputValue()).toMatch(/^EUR/);
    await choose(page, 'Time zone', /^Europe\/Madrid/);
    expect(await page.getByRole('combobox', { name: 'Language and formats', exact: true }).inputValue()).toBe(
      'English',
    );
    await choose(page, 'Language and formats', 'European Spanish');
    await page.getByText(/Example: 9 mar 2025, 15:30 · 1234,50\s€/).waitFor();
    await page.getByLabel('Your name').fill(owner.name);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password', { exact: true }).fill(owner.password);
    await screenshot(page, SHOTS, '01-setup');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await waitForPath(page, '/');

    const session = (await apiFromPage(page, 'GET', '/api/v1/session')).body;
    expect(session.workspace).toMatchObject({
      name: owner.workspace,
      defaultCountry: 'ES',
      currency: 'EUR',
      timezone: 'Europe/Madrid',
      locale: 'es-ES',
    });
  });

  it('shows the business profile and saves a change', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
    await waitForPath(page, '/settings/profile');
    await page.getByRole('heading', { name: 'Business profile' }).waitFor();
    const name = page.getByRole('textbox', { name: 'Business name' });
    expect(await name.inputValue()).toBe(owner.workspace);
    const save = page.getByRole('button', { name: 'Save changes' });
    expect(await save.isDisabled()).toBe(true);
    await name.fill('');
    await save.click();
    await page.getByText('This field is required').waitFor();
    await name.fill(`${owner.workspace} & Co`);
    await save.click();
    await page.getByText('Business profile saved.').waitFor();
    // The header follows at once.
    await page.getByRole('banner').getByText(`${owner.workspace} & Co`).waitFor();
    await screenshot(page, SHOTS, '02-profile');
  });

  it('invites an analyst, whose link is shown once with a copy button', async () => {
    await page.getByRole('tab', { name: 'Invitations' }).click();
    await waitForPath(page, '/settings/invitations');
    await page.getByText('No invitations yet').waitFor();
    await page.getByRole('button', { name: 'Invite someone' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Their email').fill(analyst.email);
    await choose(page, 'Role', /^Analyst/);
    await dialog.getByRole('button', { name: 'Create invitation' }).click();
    await dialog.getByRole('heading', { name: `Send this link to ${analyst.email}` }).waitFor();
    inviteLink = await dialog.getByRole('textbox', { name: 'Invitation link' }).inputValue();
    expect(inviteLink).toMatch(/\/invite\/[\w-]{20,}$/);
    await dialog.getByRole('button', { name: /^Copy: Invitation link/ }).waitFor();
    await screenshot(page, SHOTS, '03-invitation-link');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('row', { name: new RegExp(analyst.email) });
    await row.getByText('Pending').waitFor();
    await row.getByText('Analyst').waitFor();
  });

  it('the analyst joins in another browser, sees no write buttons, and the API refuses their writes', async () => {
    const context = await newContext();
    const p = await newPage(context);
    await p.goto(new URL(inviteLink).pathname);
    await p.getByRole('heading', { name: `Join ${owner.workspace} & Co` }).waitFor();
    await p.getByLabel('Your name').fill(analyst.name);
    await p.getByLabel('Password', { exact: true }).fill(analyst.password);
    await p.getByRole('button', { name: 'Join workspace' }).click();
    await waitForPath(p, '/');
    // Home has nothing to change.
    await p.getByRole('heading', { name: `Welcome, ${analyst.name}` }).waitFor();

    // Settings: read-only profile, members without controls, no admin tabs.
    await p.goto('/settings');
    await waitForPath(p, '/settings/profile');
    await p.getByText('Only owners and admins can change this.').waitFor();
    expect(await p.getByRole('textbox', { name: 'Business name' }).isDisabled()).toBe(true);
    expect(await p.getByRole('button', { name: 'Save changes' }).count()).toBe(0);
    for (const tab of ['Invitations', 'API keys', 'Audit log']) {
      expect(await p.getByRole('tab', { name: tab }).count(), tab).toBe(0);
    }
    await screenshot(p, SHOTS, '04-analyst-profile');
    await p.getByRole('tab', { name: 'Members' }).click();
    await p.getByRole('row', { name: new RegExp(owner.email) }).waitFor();
    expect(await p.getByRole('button', { name: 'Invite someone' }).count()).toBe(0);
    expect(await p.getByRole('combobox', { name: /^Role of / }).count()).toBe(0);
    expect(await p.getByRole('button', { name: /^Actions for / }).count()).toBe(0);
    await screenshot(p, SHOTS, '05-analyst-members');
    // An admin-only address leads back to what the analyst may see.
    await p.goto('/settings/api-keys');
    await waitForPath(p, '/settings/profile');
    // Every button in the signed-in pages is navigation or personal (language, theme, account).
    const buttons = await p.getByRole('main').getByRole('button').allInnerTexts();
    expect(buttons.filter((b) => b.trim())).toEqual([]);

    // The server has the last word: every write is refused.
    const me = (await apiFromPage(p, 'GET', '/api/v1/session')).body;
    expect(me.role).toBe('analyst');
    const attempts: [string, string, unknown][] = [
      ['PATCH', '/api/v1/workspace', { name: 'Hacked' }],
      ['POST', '/api/v1/invitations', { email: 'x@sol.example', role: 'admin' }],
      ['POST', '/api/v1/api-keys', { name: 'mine', scopes: ['write'] }],
      ['PATCH', `/api/v1/members/${me.user.id}`, { role: 'owner' }],
      ['POST', `/api/v1/members/${me.user.id}/password-reset`, undefined],
    ];
    for (const [method, path, body] of attempts) {
      const res = await apiFromPage(p, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    await context.close();
  });

  it('the owner resets the analyst password; the analyst is signed out and signs in with the new one', async () => {
    // The analyst is signed in elsewhere, with the old password.
    const elsewhere = await newContext();
    const old = await newPage(elsewhere);
    await old.goto('/login');
    await old.getByLabel('Email').fill(analyst.email);
    await old.getByLabel('Password', { exact: true }).fill(analyst.password);
    await old.getByRole('button', { name: 'Sign in' }).click();
    await waitForPath(old, '/');

    await page.getByRole('tab', { name: 'Members' }).click();
    const row = page.getByRole('row', { name: new RegExp(analyst.email) });
    await row.getByRole('button', { name: `Actions for ${analyst.name}` }).click();
    await page.getByRole('menuitem', { name: 'Reset password' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: `Reset the password of ${analyst.name}?` }).waitFor();
    await dialog.getByRole('button', { name: 'Make a reset link' }).click();
    await dialog.getByRole('heading', { name: `Pass this link on to ${analyst.name}` }).waitFor();
    const link = await dialog.getByRole('textbox', { name: 'Password reset link' }).inputValue();
    expect(link).toMatch(/\/reset-password\/[\w-]{20,}$/);
    await screenshot(page, SHOTS, '06-reset-link');
    await dialog.getByRole('button', { name: 'Done' }).click();

    // The analyst forgot it: the sign-in page says whom to ask.
    const context = await newContext();
    const p = await newPage(context);
    await p.goto('/login');
    await p.getByRole('button', { name: 'Forgot password?' }).click();
    await p.getByText(/Ask an owner or admin of your workspace/).waitFor();
    await screenshot(p, SHOTS, '07-forgot-password');

    await p.goto(new URL(link).pathname);
    await p.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    expect(await p.getByRole('textbox', { name: 'Email' }).inputValue()).toBe(analyst.email);
    await p.getByLabel('Password', { exact: true }).fill('short');
    await p.getByRole('button', { name: 'Set new password' }).click();
    await p.getByText('Use at least 10 characters').waitFor();
    await p.getByLabel('Password', { exact: true }).fill('a-brand-new-pass-9');
    await screenshot(p, SHOTS, '08-new-password');
    await p.getByRole('button', { name: 'Set new password' }).click();
    await waitForPath(p, '/login');
    await p.getByText('Your password is set. Sign in with it.').waitFor();

    // The old session has ended.
    await old.reload();
    await waitForPath(old, '/login');

    // The old password no longer works; the new one does.
    await p.getByLabel('Email').fill(analyst.email);
    await p.getByLabel('Password', { exact: true }).fill(analyst.password);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByText('Wrong email or password.').waitFor();
    await p.getByLabel('Password', { exact: true }).fill('a-brand-new-pass-9');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await waitForPath(p, '/');
    await p.getByRole('heading', { name: `Welcome, ${analyst.name}` }).waitFor();

    // The link worked once.
    await p.goto(new URL(link).pathname);
    await p.getByText('This link was already used.').waitFor();
    await context.close();
    await elsewhere.close();
  });

  it('changes a role in place and keeps the last owner', async () => {
    await page.reload();
    const role = page.getByRole('combobox', { name: `Role of ${analyst.name}` });
    await role.click();
    await page.getByRole('option', { name: 'Agent' }).click();
    await page.getByText(`${analyst.name} is now Agent.`).waitFor();
    // The only owner is the signed-in person: no control can demote or remove them.
    const me = page.getByRole('row', { name: new RegExp(owner.email) });
    expect(await me.getByRole('combobox').count()).toBe(0);
    expect(await page.getByRole('combobox', { name: /^Role of / }).count()).toBe(1);
    expect(await me.getByRole('button').count()).toBe(0);
    await screenshot(page, SHOTS, '09-members');
  });

  it('creates an API key shown once, records its use, and revokes it', async () => {
    await page.getByRole('tab', { name: 'API keys' }).click();
    await page.getByText('No API keys yet').waitFor();
    await page.getByRole('button', { name: 'Create API key' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('checkbox', { name: /Read data/ }).uncheck();
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await dialog.getByText('This field is required').waitFor();
    await dialog.getByText('Choose at least one kind of access').waitFor();
    await dialog.getByLabel('Name').fill('nightly export');
    await dialog.getByRole('checkbox', { name: /Read data/ }).check();
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await dialog.getByRole('heading', { name: 'Copy your new key now' }).waitFor();
    const key = await dialog.getByRole('textbox', { name: 'API key' }).inputValue();
    expect(key).toMatch(/^kith_[0-9a-z]{26}_/);
    await screenshot(page, SHOTS, '10-api-key-once');
    await dialog.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row', { name: /nightly export/ });
    await row.getByText('Never').waitFor();
    expect(await row.innerText()).toContain(key.slice(0, 12));
    // Once closed, the key is gone from the page for good.
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(async () => (await page.content()).includes(key.slice(12))).toBe(false);

    const used = await fetch(`${server.url}/api/v1/workspace`, { headers: { authorization: `Bearer ${key}` } });
    expect(used.status).toBe(200);
    await page.reload();
    await page.getByRole('row', { name: /nightly export/ }).waitFor();
    expect(
      await page
        .getByRole('row', { name: /nightly export/ })
        .getByText('Never')
        .count(),
    ).toBe(0);

    await page.getByRole('button', { name: 'Revoke the key nightly export' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('The key nightly export was revoked.').waitFor();
    await page
      .getByRole('row', { name: /nightly export/ })
      .getByText('Revoked')
      .waitFor();
    const after = await fetch(`${server.url}/api/v1/workspace`, { headers: { authorization: `Bearer ${key}` } });
    expect(after.status).toBe(401);
  });

  it('reads the audit log, filtered by person, action and days', async () => {
    await page.getByRole('tab', { name: 'Audit log' }).click();
    await waitForPath(page, '/settings/audit');
    await page.getByRole('row', { name: /api_key\.revoke/ }).waitFor();
    // Targets by name, linked to their page.
    const revoked = page.getByRole('row', { name: /api_key\.revoke/ }).getByRole('link', { name: 'nightly export' });
    expect(await revoked.getAttribute('href')).toBe('/settings/api-keys');
    const roleChange = page.getByRole('row', { name: /member\.update/ }).first();
    await roleChange.getByRole('link', { name: `${analyst.name} (${analyst.email})` }).waitFor();
    await screenshot(page, SHOTS, '11-audit');

    await choose(page, 'Who', new RegExp(analyst.email));
    await page.waitForURL((url) => url.searchParams.has('actorId'));
    await page.getByRole('row', { name: /auth\.password_reset/ }).waitFor();
    const rows = page.getByRole('main').getByRole('row');
    // Once the filtered page has replaced the whole log, every row is the analyst's.
    await expect
      .poll(async () => {
        const texts = (await rows.allInnerTexts()).slice(1);
        return texts.length > 0 && texts.every((text) => text.includes(analyst.email));
      })
      .toBe(true);

    await choose(page, 'Action', 'invitation.accept');
    await expect.poll(async () => (await rows.allInnerTexts()).length).toBe(2);
    expect(page.url()).toContain('action=invitation.accept');

    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Madrid' }).format(new Date());
    await page.getByLabel('To', { exact: true }).fill('2020-01-01');
    await page.getByText('No entries match these filters').waitFor();
    await page.getByLabel('To', { exact: true }).fill(today);
    await page.getByLabel('From', { exact: true }).fill(today);
    await expect.poll(async () => (await rows.allInnerTexts()).length).toBe(2);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByRole('row', { name: /api_key\.revoke/ }).waitFor();

    await page.getByRole('button', { name: 'Details of api_key.revoke' }).first().click();
    await page
      .getByRole('dialog')
      .getByText(/"status": 200/)
      .waitFor();
    await page.keyboard.press('Escape');
  });

  it('works with the keyboard alone, with a visible focus, and in dark mode', async () => {
    await page.goto('/settings/profile');
    const profileTab = page.getByRole('tab', { name: 'Business profile' });
    await profileTab.focus();
    await page.keyboard.press('ArrowRight');
    await waitForPath(page, '/settings/members');
    expect(await page.getByRole('tab', { name: 'Members' }).evaluate((el) => el === document.activeElement)).toBe(true);
    // Tab reaches the page's main action; its focus ring shows.
    const invite = page.getByRole('button', { name: 'Invite someone' });
    for (let i = 0; i < 10 && !(await invite.evaluate((el) => el === document.activeElement)); i++) {
      await page.keyboard.press('Tab');
    }
    expect(await invite.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await invite.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.getByLabel('Their email').evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => invite.evaluate((el) => el === document.activeElement)).toBe(true);

    await page.getByRole('button', { name: 'Switch to dark mode' }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.mantineColorScheme)).toBe('dark');
    await screenshot(page, SHOTS, '12-members-dark');
    await page.getByRole('tab', { name: 'Audit log' }).click();
    await page.getByRole('row', { name: /api_key\.revoke/ }).waitFor();
    await screenshot(page, SHOTS, '13-audit-dark');
    await page.getByRole('button', { name: 'Switch to light mode' }).click();
  });

  it('switches between the businesses a person belongs to', async () => {
    const created = await apiFromPage(page, 'POST', '/api/v1/workspaces', { name: 'Sol Online' });
    expect(created.status).toBe(201);
    await page.goto('/');
    await page.getByRole('button', { name: `Current workspace: ${owner.workspace} & Co` }).click();
    await page.getByRole('menuitem', { name: /Sol Online/ }).click();
    await page.getByText('You are now in Sol Online.').waitFor();
    await page.getByRole('button', { name: 'Current workspace: Sol Online' }).waitFor();
    // Settings now show the other business.
    await page.goto('/settings/profile');
    expect(await page.getByRole('textbox', { name: 'Business name' }).inputValue()).toBe('Sol Online');
    await page.getByRole('button', { name: 'Current workspace: Sol Online' }).click();
    await page.getByRole('menuitem', { name: new RegExp(`${owner.workspace} & Co`) }).click();
    await page.getByRole('button', { name: `Current workspace: ${owner.workspace} & Co` }).waitFor();
  });

  it('changes my own password from My account, then signs in with the new one', async () => {
    const newPassword = 'sourdough-at-dawn-7';
    await page.goto('/');
    await page.getByRole('button', { name: 'Account menu' }).click();
    await page.getByRole('menuitem', { name: 'My account' }).click();
    await waitForPath(page, '/account');
    await page.getByRole('heading', { name: 'Change your password' }).waitFor();
    const current = page.getByLabel('Current password', { exact: true });
    const next = page.getByLabel('New password', { exact: true });
    const confirm = page.getByLabel('Repeat the new password', { exact: true });
    const submit = page.getByRole('button', { name: 'Change password' });

    // Checked here first: the two new passwords must match.
    await current.fill('not-my-password');
    await next.fill(newPassword);
    await confirm.fill(`${newPassword}x`);
    await submit.click();
    await page.getByText('The two new passwords are not the same').waitFor();
    // The server's refusal appears next to the field it names.
    await confirm.fill(newPassword);
    await submit.click();
    await page.getByText('The current password is wrong').waitFor();
    expect(await current.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await current.getAttribute('aria-describedby')) ?? '';
    const descriptions = await Promise.all(
      describedBy
        .split(/\s+/)
        .filter(Boolean)
        .map((id) => page.locator(`[id="${id}"]`).innerText()),
    );
    expect(descriptions).toContain('The current password is wrong');
    await screenshot(page, SHOTS, '14-change-password-error');

    await current.fill(owner.password);
    await submit.click();
    await page.getByText('Your password was changed.').waitFor();
    expect(await current.inputValue()).toBe('');
    // This session stays signed in.
    await page.getByRole('heading', { name: 'My account' }).waitFor();

    const context = await newContext();
    const p = await newPage(context);
    await p.goto('/login');
    await p.getByLabel('Email').fill(owner.email);
    await p.getByLabel('Password', { exact: true }).fill(owner.password);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByText('Wrong email or password.').waitFor();
    await p.getByLabel('Password', { exact: true }).fill(newPassword);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await waitForPath(p, '/');
    await p.getByRole('heading', { name: `Welcome, ${owner.name}` }).waitFor();
    await context.close();
    owner.password = newPassword;
  });

  it('removes a member, who then sees that the workspace is no longer theirs', async () => {
    const context = await newContext();
    const p = await newPage(context);
    await p.goto('/login');
    await p.getByLabel('Email').fill(analyst.email);
    await p.getByLabel('Password', { exact: true }).fill('a-brand-new-pass-9');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await waitForPath(p, '/');

    await page.goto('/settings/members');
    await page.getByRole('button', { name: `Actions for ${analyst.name}` }).click();
    await page.getByRole('menuitem', { name: 'Remove from workspace' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: `Remove ${analyst.name}?` }).waitFor();
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByText(`${analyst.name} was removed.`).waitFor();
    await page.getByRole('row', { name: new RegExp(analyst.email) }).waitFor({ state: 'detached' });

    await p.goto('/settings');
    await p.getByText('You no longer belong to this workspace.', { exact: false }).waitFor();
    await screenshot(p, SHOTS, '15-removed-member');
    await context.close();
    expect(pageErrors).toEqual([]);
  });
});
