import { beforeAll, describe, expect, it } from 'vitest';
import { addMember, createTestApp, setupOwner, type TestApp } from './testing/app.js';

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;
let analyst: Awaited<ReturnType<typeof addMember>>;

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t);
  analyst = await addMember(t, owner.auth, 'analyst');
});

const es = { 'accept-language': 'es-ES,es;q=0.9,en;q=0.8' };

/** The same request in English (no header, like a script) and in Spanish. */
async function both(method: 'GET' | 'POST' | 'PATCH', url: string, opts: Parameters<TestApp['req']>[2] = {}) {
  const en = await t.req(method, url, opts);
  const sp = await t.req(method, url, { ...opts, headers: { ...(opts.headers ?? {}), ...es } });
  expect(sp.statusCode).toBe(en.statusCode);
  const [e, s] = [en.json().error, sp.json().error];
  // The code and the field never depend on the language.
  expect(s.code).toBe(e.code);
  expect(s.field).toBe(e.field);
  return { status: en.statusCode, code: e.code as string, field: e.field as string | undefined, en: e, es: s };
}

describe('API errors in the caller language', () => {
  it('a zod validation error, with its field', async () => {
    const r = await both('POST', '/api/v1/auth/password', {
      auth: owner.auth,
      body: { currentPassword: owner.password, newPassword: 'short' },
    });
    expect(r).toMatchObject({ status: 400, code: 'invalid_request', field: 'newPassword' });
    expect(r.en.message).toBe('newPassword: must be at least 10 characters');
    expect(r.es.message).toBe('newPassword: debe tener al menos 10 caracteres');
    expect(r.es.details[0]).toMatchObject({ field: 'newPassword', message: 'debe tener al menos 10 caracteres' });
  });

  it("zod's own texts, through zod's locales", async () => {
    const r = await both('POST', '/api/v1/auth/password', {
      auth: owner.auth,
      body: { currentPassword: 42, newPassword: 'long enough password' },
    });
    expect(r).toMatchObject({ code: 'invalid_request', field: 'currentPassword' });
    expect(r.en.message).toBe('currentPassword: Invalid input: expected string, received number');
    expect(r.es.message).toBe('currentPassword: Entrada inválida: se esperaba texto, recibido número');
    const unknown = await both('POST', '/api/v1/auth/password', {
      auth: owner.auth,
      body: { currentPassword: 'x', newPassword: 'long enough password', extra: 1 },
    });
    expect(unknown.field).toBe('extra');
    expect(unknown.en.message).toBe('extra: Unknown field: extra');
    expect(unknown.es.message).toBe('extra: Campo desconocido: extra');
  });

  it('a custom message of a schema', async () => {
    const r = await both('POST', '/api/v1/invitations', {
      auth: owner.auth,
      body: { email: 'ana@nowhere', role: 'analyst' },
    });
    expect(r).toMatchObject({ status: 400, field: 'email' });
    expect(r.en.message).toBe('email: must be an email address');
    expect(r.es.message).toBe('email: debe ser una dirección de correo electrónico');
    const empty = await both('PATCH', '/api/v1/workspace', { auth: owner.auth, body: {} });
    expect(empty.en.message).toBe('body: must change at least one field');
    expect(empty.es.message).toBe('body: debe cambiar al menos un campo');
  });

  it('a UserError with a parameter', async () => {
    const r = await both('POST', '/api/v1/api-keys', {
      auth: owner.auth,
      body: { name: 'k', scopes: ['fly'] },
    });
    expect(r).toMatchObject({ status: 400, code: 'invalid_request', field: 'scopes' });
    expect(r.en.message).toBe('scopes: unknown scope "fly"');
    expect(r.es.message).toBe('scopes: ámbito desconocido "fly"');
    const wrong = await both('POST', '/api/v1/auth/password', {
      auth: owner.auth,
      body: { currentPassword: 'not my password', newPassword: 'long enough password' },
    });
    expect(wrong).toMatchObject({ code: 'invalid_credentials', field: 'currentPassword' });
    expect(wrong.en.message).toBe('The current password is wrong');
    expect(wrong.es.message).toBe('La contraseña actual no es correcta');
  });

  it('not found', async () => {
    const r = await both('GET', '/api/v1/customers/cus_00000000000000000000000000', { auth: owner.auth });
    expect(r).toMatchObject({ status: 404, code: 'not_found' });
    expect(r.en.message).toBe('Customer not found');
    expect(r.es.message).toBe('No se encontró el cliente');
    const route = await both('GET', '/api/v1/nothing-here', { auth: owner.auth });
    expect(route.en.message).toBe('No route GET /api/v1/nothing-here');
    expect(route.es.message).toBe('No existe la ruta GET /api/v1/nothing-here');
  });

  it('forbidden and unauthorized', async () => {
    const r = await both('POST', '/api/v1/api-keys', { auth: analyst.auth, body: { name: 'k', scopes: ['read'] } });
    expect(r).toMatchObject({ status: 403, code: 'forbidden' });
    expect(r.en.message).toBe('The analyst role does not allow api_keys:write');
    expect(r.es.message).toBe('El rol analyst no permite api_keys:write');
    const anon = await both('GET', '/api/v1/customers');
    expect(anon).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(anon.es.message).toBe('Inicia sesión o envía una clave de API (Authorization: Bearer kith_…)');
  });
});
