import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './browser';
import { type KithServer, startServer } from './server';

const SHOTS = 'spanish';

/** A signed-in page to check in Spanish: where it is, and what to open on it (a dialog, a menu). */
interface PageToCheck {
  name: string;
  /** A path, or one made from the ids of data the full pass creates (skipped while they do not exist). */
  path: string | (() => string | null);
  open?: (page: Page) => Promise<void>;
}

/** Ids of data created for the full pass. */
const ids: { customer?: string; source?: string; import?: string; segment?: string; journey?: string } = {};
const withId = (key: keyof typeof ids, prefix: string) => () => (ids[key] ? `${prefix}${ids[key]}` : null);

/**
 * Every signed-in page and dialog, checked twice: in a new workspace (empty states) and once it
 * has members, invitations and keys. Add new pages here.
 */
const PAGES: PageToCheck[] = [
  { name: 'home', path: '/' },
  { name: 'account-menu', path: '/', open: (p) => p.getByRole('button', { name: 'Menú de la cuenta' }).click() },
  {
    name: 'workspace-menu',
    path: '/',
    open: (p) => p.getByRole('button', { name: /^Espacio de trabajo actual/ }).click(),
  },
  { name: 'settings-profile', path: '/settings/profile' },
  { name: 'settings-members', path: '/settings/members' },
  {
    name: 'settings-members-reset',
    path: '/settings/members',
    open: async (p) => {
      const actions = p.getByRole('button', { name: /^Acciones para / });
      if ((await actions.count()) === 0) return; // nobody to reset yet
      await actions.first().click();
      await p.getByRole('menuitem', { name: 'Restablecer la contraseña' }).click();
    },
  },
  { name: 'settings-invitations', path: '/settings/invitations' },
  {
    name: 'settings-invite-dialog',
    path: '/settings/invitations',
    open: (p) => p.getByRole('button', { name: 'Invitar a alguien' }).first().click(),
  },
  { name: 'settings-api-keys', path: '/settings/api-keys' },
  {
    name: 'settings-api-key-dialog',
    path: '/settings/api-keys',
    open: (p) => p.getByRole('button', { name: 'Crear clave de API' }).first().click(),
  },
  { name: 'settings-audit', path: '/settings/audit' },
  { name: 'settings-email', path: '/settings/email' },
  { name: 'settings-sms', path: '/settings/sms' },
  { name: 'settings-webhooks', path: '/settings/webhooks' },
  {
    name: 'settings-webhook-dialog',
    path: '/settings/webhooks',
    open: (p) => p.getByRole('button', { name: 'Añadir endpoint' }).first().click(),
  },
  { name: 'customers', path: '/customers' },
  { name: 'customers-filters', path: '/customers', open: (p) => p.getByRole('button', { name: 'Filtros' }).click() },
  { name: 'customer-360', path: withId('customer', '/customers/') },
  { name: 'sources', path: '/sources' },
  { name: 'source-install', path: withId('source', '/sources/') },
  { name: 'imports', path: '/imports' },
  { name: 'imports-new', path: '/imports/new' },
  { name: 'import-report', path: withId('import', '/imports/') },
  { name: 'segments', path: '/segments' },
  {
    name: 'segments-new',
    path: '/segments/new',
    open: async (p) => {
      await p.getByRole('button', { name: 'Añadir una condición a Regla' }).click();
      await p.getByRole('menuitem', { name: /^Actividad/ }).click();
      await p.getByRole('button', { name: 'Añadir una condición a Regla' }).click();
      await p.getByRole('menuitem', { name: /^Pedidos/ }).click();
    },
  },
  { name: 'segment', path: withId('segment', '/segments/') },
  {
    name: 'segment-explain',
    path: withId('segment', '/segments/'),
    open: async (p) => {
      await p
        .getByRole('button', { name: /^¿Por qué está / })
        .first()
        .click();
      await p.getByTestId('explain-panel').waitFor();
    },
  },
  { name: 'journeys', path: '/journeys' },
  { name: 'journeys-new', path: '/journeys', open: (p) => p.getByRole('button', { name: 'Nuevo recorrido' }).click() },
  { name: 'journey', path: withId('journey', '/journeys/') },
  {
    name: 'journey-step',
    path: withId('journey', '/journeys/'),
    open: async (p) => {
      await p.getByTestId('journey-node').first().click();
      await p.getByTestId('step-panel').waitFor();
    },
  },
  { name: 'settings-journeys', path: '/settings/journeys' },
  { name: 'dashboard', path: '/dashboard' },
  {
    name: 'dashboard-goal-dialog',
    path: '/dashboard',
    open: (p) => p.getByRole('button', { name: 'Nuevo objetivo' }).click(),
  },
  { name: 'account', path: '/account' },
  { name: 'not-found', path: '/no-such-page' },
];

type Tree = { [key: string]: string | Tree };
const flatten = (tree: Tree, prefix = ''): [string, string][] =>
  Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string' ? [[prefix + k, v] as [string, string]] : flatten(v, `${prefix}${k}.`),
  );

/** English values that differ from Spanish and are not also Spanish text somewhere, as patterns. */
async function englishPatterns(): Promise<{ key: string; pattern: RegExp }[]> {
  // The app's i18n module reads the browser's languages when it loads.
  Object.assign(globalThis, { navigator: { language: 'en', languages: ['en'] }, document: { documentElement: {} } });
  const { i18n } = await import('../apps/web/src/i18n/index');
  const en = flatten(i18n.getResourceBundle('en', 'translation') as Tree);
  const esValues = new Map(flatten(i18n.getResourceBundle('es', 'translation') as Tree));
  const spanish = new Set(esValues.values());
  return (
    en
      .filter(([key, value]) => esValues.get(key) !== value && !spanish.has(value))
      // Values with no word outside their placeholders ('{{percent}}%') have nothing to translate; a
      // template of placeholders around a short word ('{{trait}} is {{value}}') would match any English
      // sentence of the data (a server's message in an import report): too short to tell, skipped.
      .filter(([, value]) => {
        const letters = value.replace(/\{\{\s*\w+\s*\}\}/g, '').match(/\p{L}/gu)?.length ?? 0;
        return letters > 0 && (letters >= 6 || !value.includes('{{'));
      })
      .map(([key, value]) => {
        const escaped = value
          .split(/\{\{\s*\w+\s*\}\}/)
          .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.+?');
        return { key, pattern: new RegExp(`^${escaped}$`) };
      })
  );
}

/** Visible text nodes, and the labels people hear or see (aria-label, placeholder, title), of a page. */
async function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out = new Set<string>();
    const visible = (el: Element | null) => !!el && (el as HTMLElement).checkVisibility?.({ visibilityProperty: true });
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent?.replace(/\s+/g, ' ').trim();
      if (text && visible(n.parentElement)) out.add(text);
    }
    for (const el of Array.from(document.querySelectorAll('[aria-label], [placeholder], [title]'))) {
      if (!visible(el) && !el.matches('[aria-label]')) continue;
      for (const attr of ['aria-label', 'placeholder', 'title']) {
        const v = el.getAttribute(attr)?.trim();
        if (v) out.add(v);
      }
    }
    out.add(document.title);
    return [...out];
  });
}

describe('the Spanish interface', () => {
  let server: KithServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let patterns: { key: string; pattern: RegExp }[];
  const pageErrors: string[] = [];
  const checked: string[] = [];

  /** The English strings on the page, each with its translation key. */
  async function englishOnPage(): Promise<string[]> {
    const texts = await visibleTexts(page);
    return texts.flatMap((text) => patterns.filter((p) => p.pattern.test(text)).map((p) => `"${text}" (${p.key})`));
  }

  /** Fails naming every English string on the page, with its translation key. */
  async function expectNoEnglish(name: string) {
    const texts = await visibleTexts(page);
    expect(await englishOnPage(), `English on ${name}`).toEqual([]);
    expect(texts.length, `${name} shows text`).toBeGreaterThan(3);
    checked.push(name);
    await screenshot(page, SHOTS, name);
  }

  async function apiFromPage(method: string, path: string, body?: unknown) {
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

  async function walk(pass: string) {
    for (const p of PAGES) {
      const path = typeof p.path === 'string' ? p.path : p.path();
      if (path === null) continue;
      await page.goto(path);
      await page.getByRole('main').getByRole('heading', { level: 1 }).first().waitFor();
      await page.waitForLoadState('networkidle');
      await page.locator('[role="status"] .mantine-Skeleton-root').first().waitFor({ state: 'detached' });
      if (p.open) {
        await p.open(page);
        await page.waitForTimeout(300); // the opening transition
      }
      await expectNoEnglish(`${pass}-${p.name}`);
      await page.keyboard.press('Escape');
    }
  }

  beforeAll(async () => {
    patterns = await englishPatterns();
    server = await startServer();
    browser = await launchBrowser();
    context = await browser.newContext({
      baseURL: server.url,
      locale: 'en-US',
      viewport: { width: 1280, height: 860 },
    });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await screenshot(page, SHOTS, 'failure').catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop({ signal: 'SIGKILL' }).catch(() => undefined);
  });

  it('knows what English looks like', () => {
    expect(patterns.length).toBeGreaterThan(150);
    expect(patterns.some((p) => p.pattern.test('Welcome, Ada'))).toBe(true);
    expect(patterns.some((p) => p.pattern.test('Bienvenida'))).toBe(false);
  });

  it('switches to Spanish on the first-run page and sets up in Spanish', async () => {
    await page.goto('/setup');
    await page.getByRole('heading', { name: 'Set up Kith' }).waitFor();
    // The check sees English when it is there.
    const english = await englishOnPage();
    expect(english).toContain('"Set up Kith" (setup.title)');
    expect(english).toContain('"Switch to dark mode" (colorScheme.toDark)');
    await page.getByRole('button', { name: 'Language: English' }).click();
    await page.getByRole('menuitem', { name: 'Español' }).click();
    await page.getByRole('heading', { name: 'Configurar Kith' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('es');
    await expectNoEnglish('setup');

    await page.getByLabel('Nombre del espacio de trabajo').fill('Panadería Sol');
    await page.getByLabel('Tu nombre').fill('Olga Owner');
    await page.getByLabel('Correo electrónico').fill('olga@sol.example');
    await page.getByLabel('Contraseña', { exact: true }).fill('harina-y-sol-42');
    await page.getByRole('button', { name: 'Crear espacio de trabajo' }).click();
    await page.getByRole('heading', { name: 'Hola, Olga Owner' }).waitFor();
  });

  it('shows every page of a new workspace in Spanish', async () => {
    // A second workspace makes the workspace switcher a menu.
    expect((await apiFromPage('POST', '/api/v1/workspaces', { name: 'Sol Online' })).status).toBe(201);
    await walk('empty');
  });

  it('shows every page in Spanish once there are members, invitations and keys', async () => {
    const accepted = await apiFromPage('POST', '/api/v1/invitations', { email: 'ana@sol.example', role: 'analyst' });
    const token = new URL(accepted.body.link).pathname.split('/').pop();
    const joined = await fetch(`${server.url}/api/v1/invitations/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, password: 'numeros-77-solo', name: 'Ana Analista' }),
    });
    expect(joined.status).toBe(200);
    await apiFromPage('POST', '/api/v1/invitations', { email: 'max@sol.example', role: 'marketer' });
    const revoked = await apiFromPage('POST', '/api/v1/invitations', { email: 'rev@sol.example', role: 'agent' });
    await apiFromPage('DELETE', `/api/v1/invitations/${revoked.body.invitation.id}`);
    await apiFromPage('POST', '/api/v1/api-keys', { name: 'exportación', scopes: ['read', 'customers:write'] });
    const old = await apiFromPage('POST', '/api/v1/api-keys', { name: 'antigua', scopes: ['admin'] });
    await apiFromPage('DELETE', `/api/v1/api-keys/${old.body.apiKey.id}`);
    // A source with a customer's events, and an import with a rejected line.
    const source = await apiFromPage('POST', '/api/v1/sources', { name: 'Tienda web', channel: 'web' });
    expect(source.status).toBe(201);
    ids.source = source.body.id;
    const sent = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${source.body.writeKey}:`).toString('base64')}`,
      },
      body: JSON.stringify({
        batch: [
          { type: 'identify', userId: 'u-lola', traits: { email: 'lola@sol.example', firstName: 'Lola' } },
          { type: 'page', userId: 'u-lola', name: 'Inicio' },
          {
            type: 'track',
            userId: 'u-lola',
            event: 'Order Completed',
            properties: {
              order_id: 'S-1',
              total: 12,
              products: [{ product_id: 'pan', name: 'Pan', price: 3, quantity: 4 }],
            },
          },
        ],
      }),
    });
    expect(sent.status).toBe(200);
    for (let i = 0; i < 50 && !ids.customer; i++) {
      const list = await apiFromPage('GET', '/api/v1/customers?q=lola');
      ids.customer = list.body.data[0]?.id;
      if (!ids.customer) await page.waitForTimeout(200);
    }
    expect(ids.customer).toBeTruthy();
    // A segment Lola is in (she has an order), for the segment pages and the explanation.
    for (let i = 0; i < 50; i++) {
      if ((await apiFromPage('GET', '/api/v1/orders')).body.data?.length) break;
      await page.waitForTimeout(200);
    }
    const segment = await apiFromPage('POST', '/api/v1/segments', {
      name: 'Clientes con pedidos',
      kind: 'dynamic',
      rule: { all: [{ type: 'orders', metric: 'count', op: 'gte', value: 1 }] },
    });
    expect(segment.status).toBe(201);
    ids.segment = segment.body.id;
    ids.import = await page.evaluate(async () => {
      const session = await (await fetch('/api/v1/session')).json();
      const form = new FormData();
      form.set('kind', 'customers');
      form.set('sourceName', 'Importación CSV'); // as the imports page sends it when left empty
      form.set('mapping', JSON.stringify({ email: 'email', name: 'firstName' }));
      form.set(
        'file',
        new Blob(['email,name\nrosa@sol.example,Rosa\nno-es-correo,Mal\n'], { type: 'text/csv' }),
        'c.csv',
      );
      const res = await fetch('/api/v1/imports', {
        method: 'POST',
        headers: { 'x-csrf-token': session.csrfToken },
        body: form,
      });
      const id = (await res.json()).id as string;
      for (let i = 0; i < 100; i++) {
        const imp = await (await fetch(`/api/v1/imports/${id}`)).json();
        if (imp.status === 'completed' || imp.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      return id;
    });
    // A journey from a playbook, with its graph and step panel.
    const journey = await apiFromPage('POST', '/api/v1/playbooks/welcome/install', {});
    expect(journey.status).toBe(201);
    ids.journey = journey.body.id;
    await walk('full');

    // Past invitations, an audit entry's details and a filter with no match.
    await page.goto('/settings/invitations');
    await page.getByRole('switch', { name: 'Mostrar invitaciones usadas, revocadas y caducadas' }).check();
    await page.getByText('Revocada', { exact: true }).waitFor();
    await expectNoEnglish('full-settings-invitations-past');
    await page.goto('/settings/audit');
    await page
      .getByRole('button', { name: /^Detalles de / })
      .first()
      .click();
    await page.getByRole('dialog').waitFor();
    await expectNoEnglish('full-settings-audit-details');
    await page.keyboard.press('Escape');
    await page.goto('/settings/audit?to=2020-01-01');
    await page.getByText('Ninguna entrada coincide con estos filtros').waitFor();
    await expectNoEnglish('full-settings-audit-no-match');
  });

  it("shows the API's refusals next to their field, in Spanish", async () => {
    /** The texts an input is described by (its description and its error). */
    const describedBy = async (label: string) => {
      const input = page.getByLabel(label, { exact: true });
      expect(await input.getAttribute('aria-invalid')).toBe('true');
      const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
      return Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).innerText()));
    };

    // An address the form lets through but the server refuses (a custom message of its schema).
    await page.goto('/settings/invitations');
    await page.getByRole('button', { name: 'Invitar a alguien' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Su correo electrónico').fill('luz@sin-dominio');
    await dialog.getByRole('button', { name: 'Crear invitación' }).click();
    await dialog.getByText('debe ser una dirección de correo electrónico').waitFor();
    expect(await describedBy('Su correo electrónico')).toContain('debe ser una dirección de correo electrónico');
    await expectNoEnglish('invite-dialog-api-error');
    await page.keyboard.press('Escape');

    // A wrong current password (a refusal of the service).
    await page.goto('/account');
    await page.getByLabel('Contraseña actual', { exact: true }).fill('no-es-la-mia');
    await page.getByLabel('Contraseña nueva', { exact: true }).fill('pan-de-centeno-8');
    await page.getByLabel('Repite la contraseña nueva', { exact: true }).fill('pan-de-centeno-8');
    await page.getByRole('button', { name: 'Cambiar contraseña' }).click();
    await page.getByText('La contraseña actual no es correcta').waitFor();
    expect(await describedBy('Contraseña actual')).toContain('La contraseña actual no es correcta');
    await expectNoEnglish('account-api-error');
  });

  it('shows the pages for people not signed in in Spanish', async () => {
    const invitation = await apiFromPage('POST', '/api/v1/invitations', { email: 'luz@sol.example', role: 'agent' });
    const members = (await apiFromPage('GET', '/api/v1/members')).body.data as { id: string; email: string }[];
    const ana = members.find((m) => m.email === 'ana@sol.example');
    const reset = await apiFromPage('POST', `/api/v1/members/${ana?.id}/password-reset`);
    expect(reset.status).toBe(201);

    await page.getByRole('button', { name: 'Menú de la cuenta' }).click();
    await page.getByRole('menuitem', { name: 'Cerrar sesión' }).click();
    await page.getByRole('heading', { name: 'Iniciar sesión' }).waitFor();
    await expectNoEnglish('login');
    await page.getByRole('button', { name: '¿Has olvidado la contraseña?' }).click();
    await page.getByText(/Kith todavía no envía correos/).waitFor();
    await page.waitForTimeout(300); // the opening transition
    await expectNoEnglish('login-forgot');

    await page.goto(new URL(invitation.body.link).pathname);
    await page.getByRole('heading', { name: 'Únete a Panadería Sol' }).waitFor();
    await expectNoEnglish('invite');
    await page.goto('/invite/not-a-real-invitation-token');
    await page.getByRole('heading', { name: 'No se puede usar esta invitación' }).waitFor();
    await expectNoEnglish('invite-invalid');

    await page.goto(new URL(reset.body.link).pathname);
    await page.getByRole('heading', { name: 'Elige una contraseña nueva' }).waitFor();
    await page.getByRole('button', { name: 'Guardar la contraseña nueva' }).click();
    await page.getByText('Usa al menos 10 caracteres').waitFor();
    await expectNoEnglish('reset-password');
    await page.goto('/reset-password/not-a-real-reset-token');
    await page.getByRole('heading', { name: 'No se puede usar este enlace' }).waitFor();
    await expectNoEnglish('reset-password-invalid');

    // Pages of data exist only in the full pass.
    const withData = PAGES.filter((p) => typeof p.path !== 'string').length;
    expect(checked.length).toBeGreaterThanOrEqual(PAGES.length * 2 - withData + 8);
    for (const name of ['full-customer-360', 'full-source-install', 'full-import-report', 'full-segment-explain'])
      expect(checked).toContain(name);
    expect(pageErrors).toEqual([]);
  });
});
