/** Email templates over the API: versions, both languages, a live preview in the brand layout. */
import { beforeAll, describe, expect, it } from 'vitest';
import { upsertOrder } from '../commerce/index.js';
import { createTestApp, setupOwner, type TestApp } from '../testing/app.js';

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;

async function api(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, status = 200) {
  const r = await t.req(method, url, { auth: owner.auth, body });
  expect(r.statusCode, `${method} ${url}: ${r.body}`).toBe(status);
  return r.json();
}

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t, 'Horno Azul');
  await api('PUT', '/api/v1/settings/email', {
    host: 'smtp.example.com',
    port: 587,
    secure: false,
    fromName: 'Horno Azul',
    fromAddress: 'hola@horno.example',
    brand: { primaryColor: '#123456', footerText: 'Pan del día' },
  });
});

describe('templates', () => {
  it('are created, versioned on each save, listed and read back in every language', async () => {
    const created = await api(
      'POST',
      '/api/v1/templates',
      {
        key: 'weekly-news',
        name: 'Weekly news',
        variants: {
          en: { subject: 'News for {{ customer.first_name }}', html: '<p>Hello {{ customer.first_name }}</p>' },
          es: { subject: 'Novedades para {{ customer.first_name }}', html: '<p>Hola {{ customer.first_name }}</p>' },
        },
      },
      201,
    );
    expect(created).toMatchObject({ key: 'weekly-news', version: 1 });
    const again = await t.req('POST', '/api/v1/templates', {
      auth: owner.auth,
      body: { key: 'weekly-news', variants: { en: { subject: 'x', html: 'y' } } },
    });
    expect(again.statusCode).toBe(409);
    const saved = await api('PUT', '/api/v1/templates/weekly-news', {
      variants: {
        en: { subject: 'This week', html: '<p>Fresh</p>' },
        es: { subject: 'Esta semana', html: '<p>Recién hecho</p>' },
      },
    });
    expect(saved).toMatchObject({ version: 2, variants: { es: { subject: 'Esta semana' } } });
    expect((await api('GET', '/api/v1/templates')).items).toEqual([
      expect.objectContaining({ key: 'weekly-news', name: 'Weekly news', version: 2 }),
    ]);
    expect((await t.req('GET', '/api/v1/templates/nope', { auth: owner.auth })).statusCode).toBe(404);
    expect(
      (
        await t.req('PUT', '/api/v1/templates/nope', {
          auth: owner.auth,
          body: { variants: { en: { subject: 'a', html: 'b' } } },
        })
      ).statusCode,
    ).toBe(404);
  });

  it('preview renders both languages in the brand layout, for a customer or a sample one', async () => {
    const c = await api('POST', '/api/v1/customers', { email: 'lu@example.com', traits: { firstName: 'Lucía' } }, 201);
    const variants = {
      en: { subject: 'Hi {{ customer.first_name }}', html: '<p>Hi {{ customer.first_name }}</p>' },
      es: { subject: 'Hola {{ customer.first_name }}', html: '<p>Hola {{ customer.first_name }}</p>' },
    };
    const sample = await api('POST', '/api/v1/templates/preview', { variants });
    expect(sample.items.map((i: { locale: string; subject: string }) => [i.locale, i.subject])).toEqual([
      ['en', 'Hi Ana'],
      ['es', 'Hola Ana'],
    ]);
    const es = sample.items[1];
    expect(es.html).toContain('#123456');
    expect(es.html).toContain('Pan del día');
    expect(es.html).toContain('Darse de baja');
    expect(es.text).toContain('Hola Ana');
    const real = await api('POST', '/api/v1/templates/preview', {
      variants,
      customerId: c.id,
      purpose: 'transactional',
    });
    expect(real.items[0].subject).toBe('Hi Lucía');
    expect(real.items[0].html).not.toContain('Unsubscribe');
    const bad = await t.req('POST', '/api/v1/templates/preview', {
      auth: owner.auth,
      body: { variants: { en: { subject: 'x', html: '{% if %}' } } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'template_invalid', field: 'variants.en' });
  });

  it('offers best sellers the customer has not bought yet as recommendations', async () => {
    const source = await api('POST', '/api/v1/sources', { name: 'Shop', channel: 'ecommerce' }, 201);
    const buyer = await api('POST', '/api/v1/customers', { email: 'many@example.com' }, 201);
    const reader = await api('POST', '/api/v1/customers', { email: 'one@example.com' }, 201);
    const order = (customerId: string, externalId: string, items: [string, string, number][]) =>
      t.ctx.db.transaction().execute((tx) =>
        upsertOrder(tx, owner.workspaceId, {
          sourceId: source.id,
          channel: 'ecommerce',
          externalId,
          customerId,
          currency: 'EUR',
          total: items.reduce((s, [, , q]) => s + q * 2, 0),
          items: items.map(([productId, name, quantity]) => ({ productId, name, quantity, unitPrice: 2 })),
          placedAt: new Date(Date.now() - 86_400_000),
        }),
      );
    await order(buyer.id, 'o-1', [
      ['bread', 'Sourdough', 10],
      ['cake', 'Carrot cake', 5],
      ['tea', 'Green tea', 1],
    ]);
    await order(reader.id, 'o-2', [['bread', 'Sourdough', 1]]);
    const r = await api('POST', '/api/v1/templates/preview', {
      customerId: reader.id,
      variants: { en: { subject: 'For you', html: '{% for p in recommendations %}{{ p.name }};{% endfor %}' } },
    });
    // Sourdough sells most but she has it: cake, then tea.
    expect(r.items[0].html).toContain('Carrot cake;Green tea;');
    expect(r.items[0].html).not.toContain('Sourdough;');
  });
});
