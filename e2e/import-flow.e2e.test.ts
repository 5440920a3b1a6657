import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot, signIn } from './browser';
import { type KithServer, startServer } from './server';

const SHOTS = 'import-flow';
const owner = {
  workspaceName: 'Lugo Bakery',
  name: 'Iria Owner',
  email: 'iria@lugo.example',
  password: 'rye-and-spelt-11',
};

// Line 1 is the header; line 4 has an email that is not one.
const CSV = [
  'Email,First name,Last name,City,Plan',
  'maria.lopez@lugo.example,María,López,Lugo,gold',
  'xoan.pereira@lugo.example,Xoán,Pereira,Vigo,basic',
  'not-an-email,Bad,Row,Ourense,basic',
  'uxia.rey@lugo.example,Uxía,Rey,Lugo,silver',
].join('\n');

describe('importing customers from a CSV in a browser', () => {
  let server: KithServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    const setup = await fetch(`${server.url}/api/v1/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(owner),
    });
    expect(setup.status).toBe(201);
    browser = await launchBrowser();
    ({ page } = await openPage(browser, server.url, pageErrors, { width: 1280, height: 900 }));
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await screenshot(page, SHOTS, 'failure').catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop({ signal: 'SIGKILL' }).catch(() => undefined);
  });

  it('uploads, maps, checks, imports with a progress bar and reports the bad line; the customers are searchable', async () => {
    await signIn(page, owner);

    // From the navigation to the empty Imports page, which says what to do.
    await page.getByRole('navigation').getByRole('link', { name: 'Imports' }).click();
    await page.getByRole('heading', { name: 'No imports yet' }).waitFor();
    await screenshot(page, SHOTS, '01-imports-empty');
    await page.getByRole('link', { name: 'Import a CSV file' }).click();
    await page.waitForURL((url) => url.pathname === '/imports/new');

    // Step 1: the file and what it contains.
    await page.locator('input[type="file"]').setInputFiles({
      name: 'customers.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CSV, 'utf8'),
    });
    await page.getByText('Email · First name · Last name · City · Plan').waitFor();
    expect(await page.getByRole('radio', { name: 'Customers' }).isChecked()).toBe(true);
    await screenshot(page, SHOTS, '02-file');
    await page.getByRole('button', { name: 'Match the columns', exact: true }).click();

    // Step 2: the columns were guessed from their names; Plan becomes a custom field.
    const fieldOf = (column: string) =>
      page.getByRole('combobox', { name: `Kith field for column ${column}`, exact: true });
    expect(await fieldOf('Email').inputValue()).toBe('Email');
    expect(await fieldOf('First name').inputValue()).toBe('First name');
    expect(await fieldOf('City').inputValue()).toBe('City');
    expect(await fieldOf('Plan').inputValue()).toBe('Do not import');
    await fieldOf('Plan').click();
    await page.getByRole('option', { name: 'Custom field: Plan' }).click();
    expect(await fieldOf('Plan').inputValue()).toBe('Custom field: Plan');

    // The preview shows the first rows, and the server's check names the line that will be rejected.
    await page.getByRole('cell', { name: 'maria.lopez@lugo.example', exact: true }).waitFor();
    const check = page.getByTestId('import-check');
    await check.getByText('1 of the first 4 rows will be rejected:').waitFor();
    await check.getByText('Line 4').waitFor();
    expect(await check.textContent()).toContain('not an email address');
    await screenshot(page, SHOTS, '03-mapping');

    // A field chosen twice is refused next to the columns, before anything is sent.
    await fieldOf('Last name').click();
    await page.getByRole('option', { name: 'First name', exact: true }).click();
    await page.getByText('First name is chosen for more than one column.').first().waitFor();
    expect(await page.getByRole('button', { name: 'Start import' }).isDisabled()).toBe(true);
    await fieldOf('Last name').click();
    await page.getByRole('option', { name: 'Last name', exact: true }).click();
    await check.getByText('Line 4').waitFor();

    // Start: the import page follows the job to 100%.
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.waitForURL((url) => /^\/imports\/imp_/.test(url.pathname));
    const bar = page.getByRole('progressbar');
    await bar.waitFor();
    await page.getByText('The import is finished.').waitFor({ timeout: 60_000 });
    expect(await bar.getAttribute('aria-valuenow')).toBe('100');
    expect(await page.getByTestId('import-percent').textContent()).toBe('100%');

    // The report: 3 imported, 1 rejected, on line 4, and the rejected rows as a download.
    const rejections = page.getByTestId('rejections');
    const row = rejections.getByRole('row').filter({ hasText: 'not an email address' });
    expect(await row.getByRole('cell').first().textContent()).toBe('4');
    expect(await row.textContent()).toContain('Email');
    const download = page.getByRole('link', { name: 'Download rejected rows (CSV)' });
    const href = await download.getAttribute('href');
    const csv = await page.evaluate(async (url) => (await fetch(url as string)).text(), href);
    expect(csv.split('\n')[0]).toBe('line,field,reason');
    expect(csv).toContain('4,email,');
    await screenshot(page, SHOTS, '04-report');

    // The imported customers are searchable, through the page's own session.
    const search = async (q: string) =>
      page.evaluate(async (query) => {
        const res = await fetch(`/api/v1/customers?q=${encodeURIComponent(query)}`);
        return { status: res.status, body: (await res.json()) as { data: { id: string }[] } };
      }, q);
    for (const q of ['maria.lopez', 'xoan.pereira@lugo.example', 'uxia']) {
      const found = await search(q);
      expect(found.status).toBe(200);
      expect(found.body.data, `search ${q}`).toHaveLength(1);
    }
    expect((await search('not-an-email')).body.data).toHaveLength(0);

    // The list shows the import with its counts.
    await page.getByRole('link', { name: 'All imports' }).click();
    const listed = page.getByRole('row').filter({ hasText: 'customers.csv' });
    await listed.getByText('Done').waitFor();
    expect(await listed.textContent()).toContain('3');
    await screenshot(page, SHOTS, '05-imports-list');
    expect(pageErrors).toEqual([]);
  });
});
