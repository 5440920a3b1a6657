import type { Browser, Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot, signIn } from './browser';
import { apiCall, sendBatch, setupWorkspace, until } from './data';
import { freePort, type KithServer, startServer } from './server';

const POLL = { timeout: 15_000 };
const SHOTS = 'journeys-flow';
const owner = {
  workspaceName: 'Corner Bakery',
  name: 'Olga Owner',
  email: 'olga@bakery.example',
  password: 'sourdough-and-rye-8',
  currency: 'EUR',
  timezone: 'UTC',
};

describe('journeys in a browser', () => {
  let server: KithServer;
  let browser: Browser;
  let page: Page;
  let smtp: SMTPServer;
  let smtpPort: number;
  /** Every message the SMTP server received, raw. */
  const mails: string[] = [];
  const pageErrors: string[] = [];
  const nodes = () => page.getByTestId('journey-node');
  const node = (id: string) => page.locator(`[data-testid="journey-node"][data-node="${id}"]`);

  beforeAll(async () => {
    server = await startServer();
    smtpPort = await freePort();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, cb) {
        let raw = '';
        stream.on('data', (chunk: Buffer) => {
          raw += chunk.toString('utf8');
        });
        stream.on('end', () => {
          mails.push(raw);
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
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
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await server?.stop({ signal: 'SIGKILL' }).catch(() => undefined);
  });

  it('offers the playbooks on an empty journeys page and installs the welcome series as a draft', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Journeys' }).click();
    await page.waitForURL((url) => url.pathname === '/journeys');
    await page.getByRole('heading', { name: 'No journeys yet' }).waitFor();
    await page.getByTestId('playbook-welcome').getByText('Welcome series', { exact: true }).waitFor();
    await screenshot(page, SHOTS, '01-empty-with-playbooks');

    await page.getByRole('button', { name: 'Install Welcome series' }).click();
    await page.waitForURL((url) => /^\/journeys\/[^/]+$/.test(url.pathname));
    await page.getByRole('heading', { name: 'Welcome series', level: 1 }).waitFor();
    expect(await page.getByTestId('journey-status').textContent()).toBe('Draft');
    await page.getByText('Never published').waitFor();
  });

  it('draws the welcome series: the trigger, then three emails with two waits between them', async () => {
    await page.getByTestId('journey-trigger').getByText('When a customer is identified').waitFor();
    await expect.poll(() => nodes().count(), POLL).toBe(5);
    const types = await nodes().evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    expect(types.filter((t) => t === 'send')).toHaveLength(3);
    expect(types.filter((t) => t === 'wait')).toHaveLength(2);
    await node('email1').getByText('Email · welcome-1').waitFor();
    await node('wait1').getByText('2 days').waitFor();
    // Top to bottom from the start: each email sits below the one before.
    const y = async (id: string) => (await node(id).boundingBox())?.y ?? 0;
    expect(await y('email1')).toBeLessThan(await y('wait1'));
    expect(await y('wait1')).toBeLessThan(await y('email2'));
    expect(await y('email2')).toBeLessThan(await y('email3'));
    await page.getByTestId('journey-ready').waitFor();
    await screenshot(page, SHOTS, '02-welcome-graph');
  });

  it('edits the graph: a step panel, a problem on its step and a refused publish, a condition, a drag, a test send', async () => {
    await node('email3').click();
    const panel = page.getByTestId('step-panel');
    await panel.getByRole('heading', { name: 'Step “email3”' }).waitFor();
    expect(await panel.getByLabel('Template key (or write the content below)').inputValue()).toBe('welcome-3');

    // A send step with no content yet: the step is outlined and says why; publishing names it.
    await panel.getByLabel('Step type').selectOption('send');
    await panel.getByRole('button', { name: 'Add' }).click();
    await expect.poll(() => nodes().count(), POLL).toBe(6);
    await expect.poll(() => node('send').getAttribute('data-issue'), POLL).toBe('true');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('The journey has 1 problem to fix before it can be published.').waitFor();
    expect(await page.getByTestId('journey-status').textContent()).toBe('Draft');
    await screenshot(page, SHOTS, '03-refused');

    // Delete the new step again (its panel is open), then Escape closes the panel of another.
    await page.getByTestId('step-panel').getByRole('heading', { name: 'Step “send”' }).waitFor();
    await page.getByTestId('step-panel').getByRole('button', { name: 'Delete step' }).click();
    await expect.poll(() => nodes().count(), POLL).toBe(5);
    await page.getByTestId('journey-ready').waitFor();
    expect(await page.getByText('The journey has 1 problem').count()).toBe(0);

    // A condition's rule is built with the segments' rule builder.
    await node('email3').click();
    await page.getByTestId('step-panel').getByLabel('Step type').selectOption('condition');
    await page.getByTestId('step-panel').getByRole('button', { name: 'Add' }).click();
    const conditionPanel = page.getByTestId('step-panel');
    await conditionPanel.getByRole('heading', { name: 'Step “condition”' }).waitFor();
    await conditionPanel.getByRole('button', { name: 'Add a condition to Rule' }).click();
    await page.getByRole('menuitem', { name: /^Orders/ }).click();
    const first = conditionPanel.getByRole('group', { name: 'Condition 1' });
    await first.getByLabel('Operator').selectOption('gte');
    await first.getByLabel('Value').fill('2');
    await screenshot(page, SHOTS, '03b-condition');
    await conditionPanel.getByRole('button', { name: 'Save step' }).click();
    const saved = await until(async () => {
      const j = await apiCall(page, 'GET', `/api/v1/journeys/${page.url().split('/').pop()}`);
      return j.body.draft.nodes.condition?.rule?.all?.length ? j.body.draft.nodes.condition : null;
    }, 'the condition saved');
    expect(saved.rule).toEqual({ all: [{ type: 'orders', metric: 'count', op: 'gte', value: 2 }] });
    await page.getByTestId('step-panel').getByRole('button', { name: 'Delete step' }).click();
    await expect.poll(() => nodes().count(), POLL).toBe(5);

    // Dragging a step saves every step's position in the draft's layout.
    await page.waitForTimeout(500); // the view refits itself after a step is removed (200 ms)
    const box = (await node('wait2').boundingBox()) as { x: number; y: number; width: number; height: number };
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 160, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    const layout: Record<string, { x: number; y: number }> = await until(async () => {
      const j = await apiCall(page, 'GET', `/api/v1/journeys/${page.url().split('/').pop()}`);
      return j.body.draft.layout;
    }, 'the layout saved');
    expect(Object.keys(layout).sort()).toEqual(['email1', 'email2', 'email3', 'wait1', 'wait2']);
    expect((layout.wait2?.x ?? 0) - (layout.wait1?.x ?? 0), JSON.stringify(layout)).toBeGreaterThan(50);

    // A test of the first email goes to the signed-in owner through the workspace's SMTP server.
    const smtpSaved = await apiCall(page, 'PUT', '/api/v1/settings/email', {
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      fromName: 'Corner Bakery',
      fromAddress: 'hello@bakery.example',
    });
    expect(smtpSaved.status).toBe(200);
    await node('email1').click();
    await page.getByTestId('step-panel').getByRole('button', { name: 'Send a test to me' }).click();
    await page.getByTestId('step-panel').getByText('Test sent to olga@bakery.example.').waitFor();
    await until(async () => mails.length > 0, 'the test email');
    expect(mails[0]).toMatch(/^Subject: \[Test\] Welcome to Corner Bakery/m);
    expect(mails[0]).toMatch(/^To: olga@bakery\.example/m);

    await node('wait2').click();
    await page.getByTestId('step-panel').getByLabel('Label (optional)').focus();
    await page.keyboard.press('Escape');
    await page.getByTestId('step-panel').waitFor({ state: 'detached' });
  });

  it('publishes the journey: active, version 1, with its analytics and in the list', async () => {
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => page.getByTestId('journey-status').textContent(), POLL).toBe('Active');
    await page.getByTestId('journey-version').getByText('Version 1').waitFor();
    await page.getByRole('region', { name: 'Analytics' }).getByText('Entered').waitFor();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    await screenshot(page, SHOTS, '04-published');

    await page.getByRole('link', { name: 'All journeys' }).click();
    const row = page.getByRole('table', { name: 'Journeys' }).getByRole('row', { name: /Welcome series/ });
    await row.getByText('Active').waitFor();
    await row.getByText('Version 1').waitFor();

    await page.goto('/');
    await expect.poll(() => page.getByTestId('checklist-journey').getAttribute('data-done'), POLL).toBe('true');
    expect(pageErrors).toEqual([]);
  });

  it('takes in a newly identified customer, shows the figures on the graph, simulates her path and lists it on her 360', async () => {
    // Quiet hours off (Settings → Journeys), so the first step runs at any time of day.
    await page.goto('/settings/journeys');
    await page.getByRole('heading', { name: 'Sending rules for journeys' }).waitFor();
    await page.getByLabel('Hold marketing messages during quiet hours').uncheck();
    await page.getByRole('checkbox', { name: 'Cap Email' }).check();
    await page.getByRole('group', { name: 'Cap Email' }).getByLabel('At most (messages)').fill('2');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Sending rules saved.').waitFor();
    const rules = await apiCall(page, 'GET', '/api/v1/settings/journeys');
    expect(rules.body).toEqual({ quietHours: null, frequencyCaps: { email: { max: 2, days: 7 } } });

    const source = await apiCall(page, 'POST', '/api/v1/sources', { name: 'Bakery website', channel: 'web' });
    expect(source.status).toBe(201);
    await sendBatch(server, source.body.writeKey, [
      { type: 'identify', userId: 'ana', traits: { email: 'ana@example.com', firstName: 'Ana', lastName: 'Alvarez' } },
    ]);
    const customerId = await until(async () => {
      const found = await apiCall(page, 'GET', '/api/v1/customers?q=ana');
      const id = found.body.data?.[0]?.id as string | undefined;
      if (!id) return null;
      const inside = await apiCall(page, 'GET', `/api/v1/customers/${id}/journeys`);
      return inside.body.items?.length ? id : null;
    }, 'Ana in the welcome series');

    const list = await apiCall(page, 'GET', '/api/v1/journeys');
    const journeyId = list.body.items[0].id as string;
    await page.goto(`/journeys/${journeyId}`);
    // Her first email was skipped (no consent) and she waits at the first wait.
    await node('email1').getByText('1 passed').waitFor();
    await node('wait1').getByText('1 waiting').waitFor();
    await page.getByRole('region', { name: 'Analytics' }).getByText('Inside now').waitFor();

    await page.getByRole('combobox', { name: 'Simulate for a customer' }).fill('alvarez');
    await page.getByRole('option', { name: 'Ana Alvarez' }).click();
    await page.getByTestId('simulation-result').getByText('Ana Alvarez: 5 steps, then the journey ends.').waitFor();
    for (const id of ['email1', 'wait1', 'email2', 'wait2', 'email3'])
      expect(await node(id).getAttribute('data-on-path'), id).toBe('true');
    await screenshot(page, SHOTS, '05-simulated');

    await page.goto(`/customers/${customerId}`);
    const panel = page.getByRole('region', { name: 'Journeys' });
    await panel.getByRole('link', { name: 'Welcome series' }).waitFor();
    await panel.getByText('In progress').waitFor();
    await panel.getByText(/At step wait1/).waitFor();
    await screenshot(page, SHOTS, '06-customer-360');
    expect(pageErrors).toEqual([]);
  });
});
