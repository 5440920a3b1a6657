import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError, OperationalError } from './errors.js';
import { installErrorHandling } from './http.js';

function appWith(handler: () => Promise<unknown>) {
  const app = Fastify({ genReqId: () => 'req_test' });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  app.post('/x', { schema: { body: z.strictObject({ a: z.object({ b: z.number() }) }) } }, handler);
  return app;
}

describe('error mapping', () => {
  it('a 500 carries a request id and no internals', async () => {
    const app = appWith(async () => {
      throw new Error('password=hunter2 at db.ts:12');
    });
    const res = await app.inject({ method: 'POST', url: '/x', payload: { a: { b: 1 } } });
    expect(res.statusCode).toBe(500);
    expect(res.json().error).toMatchObject({ code: 'internal', requestId: 'req_test' });
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('db.ts');
  });

  it('user errors keep their status, code and field; operational errors are 503 with Retry-After', async () => {
    const conflict = await appWith(async () => {
      throw new ConflictError('taken', 'Already taken', 'email');
    }).inject({ method: 'POST', url: '/x', payload: { a: { b: 1 } } });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toEqual({ error: { code: 'taken', message: 'Already taken', field: 'email' } });
    const op = await appWith(async () => {
      throw new OperationalError('db down');
    }).inject({ method: 'POST', url: '/x', payload: { a: { b: 1 } } });
    expect(op.statusCode).toBe(503);
    expect(op.headers['retry-after']).toBe('5');
  });

  it('names nested fields with dots', async () => {
    const res = await appWith(async () => ({})).inject({ method: 'POST', url: '/x', payload: { a: { b: 'x' } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('a.b');
  });
});
