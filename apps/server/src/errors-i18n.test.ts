import { beforeAll, describe, expect, it } from 'vitest';
import { translateEnglish } from './platform/messages.js';
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

  it('segments: a rule error names its path; the duplicate name conflict', async () => {
    const preview = (rule: unknown) => both('POST', '/api/v1/segments/preview', { auth: owner.auth, body: { rule } });
    const between = await preview({ type: 'orders', metric: 'revenue', op: 'between', value: 10 });
    expect(between).toMatchObject({ status: 400, code: 'invalid_request', field: 'rule.value2' });
    expect(between.en.message).toBe('rule.value2: is required with op between, and at least value');
    expect(between.es.message).toBe('rule.value2: es obligatorio con op between, y al menos igual a value');
    // A text with a parameter, found again by its template.
    const gt = await preview({ any: [{ type: 'trait', trait: 'plan', op: 'gt', value: 'pro' }] });
    expect(gt).toMatchObject({ status: 400, field: 'rule.any.0.value' });
    expect(gt.en.message).toBe('rule.any.0.value: must be a number with op gt');
    expect(gt.es.message).toBe('rule.any.0.value: debe ser un número con op gt');
    // zod's own text inside a rule goes through zod's locale.
    const negative = await preview({ type: 'orders', metric: 'count', op: 'gt', value: -1 });
    expect(negative).toMatchObject({ status: 400, field: 'rule.value' });
    expect(negative.en.message).toBe('rule.value: Too small: expected number to be >=0');
    expect(negative.es.message).toBe('rule.value: Demasiado pequeño: se esperaba que número fuera >=0');
    const missing = await preview({ type: 'segment', segmentId: 'seg_nope', op: 'in' });
    expect(missing).toMatchObject({ status: 400, code: 'invalid_rule', field: 'rule.segmentId' });
    expect(missing.en.message).toBe('rule.segmentId: no segment seg_nope in this workspace');
    expect(missing.es.message).toBe('rule.segmentId: no hay ningún segmento seg_nope en este espacio de trabajo');

    const created = await t.req('POST', '/api/v1/segments', {
      auth: owner.auth,
      body: { name: 'Vip', kind: 'static' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const dup = await both('POST', '/api/v1/segments', { auth: owner.auth, body: { name: 'VIP', kind: 'static' } });
    expect(dup).toMatchObject({ status: 409, code: 'name_taken', field: 'name' });
    expect(dup.en.message).toBe('name: a segment called "VIP" already exists');
    expect(dup.es.message).toBe('name: ya existe un segmento llamado "VIP"');
    const gone = await both('GET', '/api/v1/segments/seg_00000000000000000000000000', { auth: owner.auth });
    expect(gone).toMatchObject({ status: 404, code: 'not_found', field: 'id' });
    expect(gone.es.message).toBe('No se encontró el segmento');
  });

  it('segments: every parameterised rule text is found again in Spanish', () => {
    const cases: [string, string][] = [
      ['is required with op within_last_days', 'es obligatorio con op within_last_days'],
      [
        'must be a string, number or boolean with op equals',
        'debe ser un texto, un número o un booleano con op equals',
      ],
      ['must be one channel with op equals', 'debe ser un solo canal con op equals'],
      ['a rule has at most 60 conditions and groups', 'una regla tiene como máximo 60 condiciones y grupos'],
      ['Unknown field in a group: x', 'Campo desconocido en un grupo: x'],
      ['Unknown fields in a group: x, y', 'Campos desconocidos en un grupo: x, y'],
      ['groups nest at most 5 levels deep', 'los grupos se anidan como máximo 5 niveles'],
      ['must have at most 30 items', 'debe tener como máximo 30 elementos'],
      [
        'must be a condition or a group {all:[…]} | {any:[…]} | {not:…}',
        'debe ser una condición o un grupo {all:[…]} | {any:[…]} | {not:…}',
      ],
    ];
    for (const [en, es] of cases) expect(translateEnglish(en, 'es'), en).toBe(es);
  });
});
